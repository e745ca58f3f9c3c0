@errors
Feature: Error format
  Token endpoint errors are RFC 6749 §5.2 JSON documents with the right status;
  authorization errors come back where the response type puts its results.

  @must @rfc6749-5.2
  Scenario: A token error is 400 JSON with a registered error code
    When the confidential client requests a token with the unknown grant
    Then the response status is 400
    And the response header "content-type" contains "application/json"
    And the token request fails with "unsupported_grant_type"

  @must @rfc6749-5.2 @needs-client-credentials
  Scenario: invalid_client comes with 401
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with a wrong secret
    And the token request is sent
    Then the response status is 401
    And the token request fails with "invalid_client"

  @must @rfc6749-5.2
  Scenario: Error members use only the allowed characters
    Given the confidential client obtains an authorization code
    When the confidential client prepares a token request with the authorization code grant
    And the token request parameter "code" is "conformance-made-up-code"
    And the token request is sent
    Then the token request fails with "invalid_grant"
    And the error members use only the characters RFC 6749 allows

  @must @rfc6749-4.1.2.1
  Scenario: Authorization errors of the code flow come back in the query
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "conformance-unknown-scope"
    When the user authorizes the request
    Then the client receives the error "invalid_scope"

  @must @rfc6749-5.2
  Scenario: A token request that is not a form gets a 4xx, not a crash
    When the body is sent as "application/json" to the token endpoint
    Then the response status is one of "400, 415"

  @should @rfc6749-5.2
  Scenario: An oversized token request is refused without a crash
    When the body is sent as "application/x-www-form-urlencoded" to the token endpoint
    Then the response status is one of "400, 413"
