@token
Feature: Token endpoint and client authentication
  The token endpoint accepts POST only, authenticates confidential clients by
  exactly one method, and answers with a Bearer token response.

  @must @rfc6749-2.3.1 @needs-client-credentials
  Scenario Outline: A confidential client authenticates with <method>
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with <method>
    And the token request is sent
    Then the token request succeeds

    Examples:
      | method              |
      | client_secret_basic |
      | client_secret_post  |

  @must @rfc6749-3.2
  Scenario: The token endpoint refuses GET
    Given the confidential client obtains an authorization code
    When the confidential client prepares a token request with the authorization code grant
    And the token request is sent with the method "GET"
    Then the token request is refused

  @must @rfc6749-3.2.1 @needs-client-credentials
  Scenario: A confidential client without authentication gets invalid_client
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with its client_id only
    And the token request is sent
    Then the token request fails with "invalid_client"
    And the response status is 401

  @must @rfc6749-4.1.3 @needs-public-client
  Scenario: A public client that leaves out client_id is refused
    Given the public client obtains an authorization code
    When the public client prepares a token request with the authorization code grant
    And the client authenticates with no credentials
    And the token request is sent
    Then the token request is refused

  @must @rfc6749-2.3.1 @rfc6749-5.2 @needs-client-credentials @needs-client-secret-basic
  Scenario: A wrong Basic secret gets 401 with a Basic challenge
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with a wrong secret
    And the token request is sent
    Then the token request fails with "invalid_client"
    And the response status is 401
    And the response header "www-authenticate" contains "Basic"

  @must @rfc6749-2.3.1 @needs-client-credentials @needs-client-secret-post
  Scenario: A wrong secret in the body gets invalid_client
    When the second confidential client prepares a token request with the client credentials grant
    And the client authenticates with a wrong secret
    And the token request is sent
    Then the token request fails with "invalid_client"

  @must @rfc6749-2.3.1 @needs-client-credentials
  Scenario: Client credentials in the URL query are refused
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with credentials in the query
    And the token request is sent
    Then the token request is refused

  @must @rfc6749-2.3 @needs-client-credentials @needs-client-secret-post
  Scenario: Two authentication methods in one request are refused
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with basic and post together
    And the token request is sent
    Then the token request fails with one of "invalid_request, invalid_client"

  @must @rfc6749-3.2.1 @needs-client-credentials @needs-second-client
  Scenario: A body client_id naming another client is refused
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with client_secret_basic
    And the token request parameter "client_id" is "{second_client_id}"
    And the token request is sent
    Then the token request fails with one of "invalid_client, invalid_request"

  @must @rfc6749-3.2 @needs-client-credentials
  Scenario: A repeated parameter is refused
    When the confidential client prepares a token request with the client credentials grant
    And the token request repeats "grant_type"
    And the token request is sent
    Then the token request fails with "invalid_request"

  @must @rfc6749-3.2 @needs-client-credentials
  Scenario: An unknown parameter is ignored
    When the confidential client prepares a token request with the client credentials grant
    And the token request parameter "conformance_extension" is "ignored"
    And the token request is sent
    Then the token request succeeds

  @must @rfc6749-5.2
  Scenario: An unknown grant type gets unsupported_grant_type
    When the confidential client requests a token with the unknown grant
    Then the token request fails with "unsupported_grant_type"

  @must @rfc6749-5.2 @needs-private-key-jwt @needs-password
  Scenario: A grant the client may not use gets unauthorized_client
    When the jwt client requests a token with the password grant
    Then the token request fails with "unauthorized_client"

  @must @rfc6749-5.1
  Scenario: The token response carries access_token, Bearer and expires_in
    Given the confidential client holds tokens from the authorization code grant
    Then the response has a "access_token" member
    And the response has a "expires_in" member
    And the response header "content-type" contains "application/json"

  @must @rfc6749-10.10
  Scenario: Access tokens are visible ASCII with at least 128 bits
    Given the confidential client holds tokens from the authorization code grant
    Then the access token uses only visible ASCII and carries at least 128 bits

  @should @rfc9700-2.5 @needs-metadata
  Scenario: An asymmetric client authentication method is offered
    When the metadata document is fetched
    Then the metadata lists "private_key_jwt" in "token_endpoint_auth_methods_supported"
