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

  @must @rfc6749-6
  Scenario: A wider scope is refused
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request parameter "scope" is "{wider_scope}"
    And the token request is sent
    Then the token request fails with "invalid_scope"

  @must @rfc6749-6
  Scenario: A narrower scope is granted
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request parameter "scope" is "{narrow_scope}"
    And the token request is sent
    Then the token request succeeds
    And the granted scope is "{narrow_scope}"

  @must @rfc6749-6
  Scenario: Without scope the refresh keeps the original scope
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client requests a token with the refresh token grant
    Then the token request succeeds
    And the granted scope is "{scope}"

  @must @rfc9700-4.14.2 @needs-refresh-rotation @needs-public-client
  Scenario: A used refresh token dies when rotated
    Given the public client holds tokens from the authorization code grant
    When the public client requests a token with the refresh token grant
    Then the token request succeeds
    And the response has a "refresh_token" member
    And the first refresh token no longer works

  @must @rfc9700-4.14.2 @needs-refresh-rotation @needs-public-client
  Scenario: Replaying a rotated-out refresh token revokes the family
    Given the public client holds tokens from the authorization code grant
    When the public client requests a token with the refresh token grant
    And the public client prepares a refresh with the first refresh token
    And the token request is sent
    Then the token request fails with "invalid_grant"
    And the latest refresh token no longer works

  @must @oauch-multi-fast-refresh @rfc9700-4.14.2 @needs-refresh-rotation
  Scenario: A refresh token used by ten requests at once succeeds at most once
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request is sent 10 times at once
    Then at most one of them succeeds

  @must @rfc6749-5.2
  Scenario: A made-up refresh token is refused
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client prepares a token request with the refresh token grant
    And the token request parameter "refresh_token" is "conformance-made-up-refresh-token"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  @must @rfc6749-10.10
  Scenario: Refresh tokens are visible ASCII with at least 128 bits
    Given the confidential client holds tokens from the authorization code grant
    Then the refresh token uses only visible ASCII and carries at least 128 bits
