@code
Feature: Authorization code lifecycle
  A code is random, short-lived, single-use and bound to the client and the
  redirect_uri of its authorization request.

  @must @rfc6749-4.1.3
  Scenario: A code is exchanged for tokens
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the client exchanges the code
    Then the token request succeeds

  # RFC 6749 §4.1.2: "If an authorization code is used more than once, the
  # authorization server MUST deny the request and SHOULD revoke (when
  # possible) all tokens previously issued based on that authorization code."
  @must @rfc6749-4.1.2 @rfc6749-5.2
  Scenario: A code can be redeemed only once
    Given the confidential client holds tokens from the authorization code grant
    When the client exchanges the code
    Then the token request fails with "invalid_grant"

  @should @rfc6749-4.1.2 @needs-resource
  Scenario: Redeeming a code twice revokes the tokens of the first exchange
    Given the confidential client holds tokens from the authorization code grant
    When the client exchanges the code
    Then the first access token is rejected by the resource server

  @should @rfc6749-4.1.2 @needs-refresh
  Scenario: Redeeming a code twice revokes the refresh token of the first exchange
    Given the confidential client holds tokens from the authorization code grant
    When the client exchanges the code
    Then the first refresh token no longer works

  @must @rfc6749-5.2
  Scenario: A made-up code is refused
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the confidential client prepares a token request with the authorization code grant
    And the token request parameter "code" is "conformance-made-up-code"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  @must @oauch-multi-fast-ac-exchange @rfc6749-4.1.2
  Scenario: A code redeemed by ten requests at once succeeds at most once
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the confidential client prepares a token request with the authorization code grant
    And the token request is sent 10 times at once
    Then at most one of them succeeds

  # RFC 6749 §4.1.2: "The authorization code MUST expire shortly after it is
  # issued"; the wait is the target's declared code lifetime.
  @must @rfc6749-4.1.2
  Scenario: An expired code is refused
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the code lifetime has passed
    And the client exchanges the code
    Then the token request fails with "invalid_grant"

  @must @rfc6749-4.1.3 @needs-second-client
  Scenario: Another client cannot redeem the code
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the second confidential client prepares a token request with the authorization code grant
    And the token request is sent
    Then the token request fails with "invalid_grant"

  @must @rfc6749-4.1.3 @rfc6749-10.6
  Scenario: The redirect_uri at the token endpoint must equal the one of the request
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the confidential client prepares a token request with the authorization code grant
    And the token request parameter "redirect_uri" is "{registered2}"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  @must @rfc6749-4.1.3
  Scenario: The redirect_uri cannot be left out at the token endpoint
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the confidential client prepares a token request with the authorization code grant
    And the token request omits "redirect_uri"
    And the token request is sent
    Then the token request fails with one of "invalid_grant, invalid_request"

  # RFC 6749 §10.10: "The probability of an attacker guessing generated tokens
  # (and other credentials not intended for handling by end-users) MUST be
  # less than or equal to 2^(-128)". Counted is what the value can hold.
  @must @rfc6749-10.10
  Scenario: A code carries at least 128 bits of entropy
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    Then the client receives an authorization code
    And the code carries at least 128 bits of entropy
