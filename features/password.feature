@password @needs-password
Feature: Resource owner password credentials grant
  Deprecated by RFC 9700 §2.4; where a server still offers it, it checks the
  password and refuses users who have a second factor.

  @must @rfc6749-4.3.2
  Scenario: Valid credentials give tokens
    When the confidential client requests a token with the password grant
    Then the token request succeeds

  @must @rfc6749-4.3.2 @rfc6749-5.2
  Scenario: A wrong password gets invalid_grant
    When the confidential client prepares a token request with the password grant
    And the token request parameter "password" is "conformance-wrong-password"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  @must @rfc6749-5.2
  Scenario: An unknown user gets invalid_grant
    When the confidential client prepares a token request with the password grant
    And the token request parameter "username" is "conformance-nobody"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  @must @gitlab-2fa @needs-two-factor-user
  Scenario: A user with two-factor authentication is refused
    When the confidential client requests a token with the two-factor password grant
    Then the token request fails with "invalid_grant"

  @must @rfc6749-4.3.2
  Scenario: The password grant needs client authentication
    When the confidential client prepares a token request with the password grant
    And the client authenticates with its client_id only
    And the token request is sent
    Then the token request fails with "invalid_client"
