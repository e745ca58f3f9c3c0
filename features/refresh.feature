@refresh @needs-refresh
Feature: Refresh tokens and rotation
  A refresh token is bound to its client, cannot widen the scope, and is
  rotated on use; replaying a rotated-out token revokes the whole family.

  @must @rfc6749-6 @rfc6749-5.1
  Scenario: A refresh gives a new access token, not cacheable
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client requests a token with the refresh token grant
    Then the token request succeeds
    And the response header "cache-control" contains "no-store"
    And the response header "content-type" contains "application/json"

  @must @rfc6749-6
  Scenario: A confidential client must authenticate to refresh
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the client authenticates with its client_id only
    And the token request is sent
    Then the token request fails with "invalid_client"

  @must @rfc6749-10.4 @needs-second-client
  Scenario: Another client's refresh token is refused
    Given the confidential client holds tokens from the authorization code grant
    When the second confidential client prepares a token request with the refresh token grant
    And the token request is sent
    Then the token request fails with "invalid_grant"

  # RFC 6749 §6: "The requested scope MUST NOT include any scope not
  # originally granted by the resource owner"; §3.3 lets the server ignore
  # what it will not grant, saying so in `scope`. Refused, or nothing beyond
  # the original grant.
  @must @rfc6749-6 @rfc6749-3.3
  Scenario: A wider scope is refused or not granted
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request parameter "scope" is "{wider_scope}"
    And the token request is sent
    Then the server refuses the scope with "invalid_scope" or grants no more than the original grant

  @must @rfc6749-6 @rfc6749-3.3
  Scenario: A narrower scope is granted within the original grant
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request parameter "scope" is "{narrow_scope}"
    And the token request is sent
    Then the refresh succeeds with no scope beyond the original grant

  # RFC 6749 §6: scope "if omitted is treated as equal to the scope originally
  # granted by the resource owner".
  @must @rfc6749-6
  Scenario: Without scope the refresh keeps within the original scope
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client requests a token with the refresh token grant
    Then the refresh succeeds with no scope beyond the original grant

  # RFC 9700 §2.2.2: "Refresh tokens for public clients MUST be
  # sender-constrained or use refresh token rotation as described in Section
  # 4.14." (§4.14.2: "Authorization servers MUST utilize one of these methods
  # to detect refresh token replay by malicious actors for public clients".)
  # Declaring neither does not silence it: this scenario fails unless the
  # server rotates or the target declares refresh_sender_constrained.
  @must @rfc9700-2.2.2 @rfc9700-4.14.2 @needs-public-client
  Scenario: A public client's refresh tokens are rotated or sender-constrained
    Given the public client holds tokens from the authorization code grant
    When the public client requests a token with the refresh token grant
    Then the token request succeeds
    And the refresh token was rotated, or the target declares sender-constrained refresh tokens

  # RFC 9700 §4.14.2 on rotation: "The previous refresh token is invalidated".
  @must @rfc9700-4.14.2 @needs-refresh-rotation @needs-public-client
  Scenario: A used refresh token dies when rotated
    Given the public client holds tokens from the authorization code grant
    When the public client requests a token with the refresh token grant
    Then the token request succeeds
    And the response has a "refresh_token" member
    And the first refresh token no longer works

  # RFC 9700 §4.14.2: "If a refresh token is compromised and subsequently used
  # by both the attacker and the legitimate client, one of them will present
  # an invalidated refresh token, which will inform the authorization server
  # of the breach. The authorization server cannot determine which party
  # submitted the invalid refresh token, but it will revoke the active refresh
  # token."
  @must @rfc9700-4.14.2 @needs-refresh-rotation @needs-public-client
  Scenario: Replaying a rotated-out refresh token revokes the family
    Given the public client holds tokens from the authorization code grant
    When the public client requests a token with the refresh token grant
    And the public client prepares a refresh with the first refresh token
    And the token request is sent
    Then the token request fails with "invalid_grant"
    And the latest refresh token no longer works

  # RFC 9700 §4.14.2 (rotation, for public clients): "The previous refresh
  # token is invalidated", so only one of concurrent uses can succeed.
  @must @oauch-multi-fast-refresh @rfc9700-4.14.2 @needs-refresh-rotation @needs-public-client
  Scenario: A public client's refresh token used by ten requests at once succeeds at most once
    Given the public client holds tokens from the authorization code grant
    When the public client prepares a token request with the refresh token grant
    And the token request is sent 10 times at once
    Then at most one of them succeeds

  @must @rfc6749-5.2
  Scenario: A made-up refresh token is refused
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request parameter "refresh_token" is "conformance-made-up-refresh-token"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  # RFC 6749 §10.10: guessing "MUST be less than or equal to 2^(-128)".
  @must @rfc6749-10.10
  Scenario: Refresh tokens are visible ASCII with at least 128 bits
    Given the confidential client holds tokens from the authorization code grant
    Then the refresh token uses only visible ASCII and carries at least 128 bits
