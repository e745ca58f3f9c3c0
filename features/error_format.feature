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

  # RFC 6749 §5.2: the server "MAY return an HTTP 401"; "If the client
  # attempted to authenticate via the "Authorization" request header field,
  # the authorization server MUST respond with an HTTP 401 (Unauthorized)
  # status code and include the "WWW-Authenticate" response header field".
  @must @rfc6749-5.2 @needs-client-credentials
  Scenario: invalid_client comes with 401 when the Authorization header was used
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with a wrong secret
    And the token request is sent
    Then the token request fails with "invalid_client"
    And the invalid_client status fits how the client authenticated

  @must @rfc6749-5.2
  Scenario: Error members use only the allowed characters
    Given the confidential client obtains an authorization code
    When the confidential client prepares a token request with the authorization code grant
    And the token request parameter "code" is "conformance-made-up-code"
    And the token request is sent
    Then the token request fails with "invalid_grant"
    And the error members use only the characters RFC 6749 allows

  # The trigger is one RFC 6749 §4.1.2.1 makes an error; an unknown scope may
  # be ignored (§3.3).
  @must @rfc6749-4.1.2.1
  Scenario: Authorization errors of the code flow come back in the query
    Given the confidential client starts an authorization code request
    And the request parameter "response_type" is "conformance_unknown"
    When the user authorizes the request
    Then the client receives the error "unsupported_response_type"

  # RFC 6749 §3.2 has the client send a form; no sentence makes the server
  # refuse anything else.
  @advice @rfc6749-3.2
  Scenario: A token request that is not a form gets a 4xx, not a crash
    When the body is sent as "application/json" to the token endpoint
    Then the response status is one of "400, 415"

  @advice @rfc6749-5.2
  Scenario: An oversized token request is refused without a crash
    When the body is sent as "application/x-www-form-urlencoded" to the token endpoint
    Then the response status is one of "400, 413"
