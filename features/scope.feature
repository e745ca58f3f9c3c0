@scope
Feature: Scope
  The server grants a default scope or asks for one, refuses or narrows what it
  does not know, and does not care about the order of scope values.

  @must @rfc6749-3.3 @needs-client-credentials
  Scenario: A request without scope gets the default scope or invalid_scope
    When the confidential client prepares a token request with the client credentials grant
    And the token request omits "scope"
    And the token request is sent
    Then the response status is one of "200, 400"

  @must @rfc6749-3.3 @needs-client-credentials
  Scenario: An unknown scope is refused or narrowed openly
    When the confidential client prepares a token request with the client credentials grant
    And the token request parameter "scope" is "{scope} conformance-unknown-scope"
    And the token request is sent
    Then the server either refuses the scope with "invalid_scope" or says which scope it granted

  @must @rfc6749-3.3
  Scenario: Scope values in another order are accepted
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "{reversed_scope}"
    When the user authorizes the request
    And the client exchanges the code
    Then the token request succeeds

  @must @rfc6749-3.3
  Scenario: An unknown scope at the authorization endpoint is refused
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "conformance-unknown-scope"
    When the user authorizes the request
    Then the client receives the error "invalid_scope"
