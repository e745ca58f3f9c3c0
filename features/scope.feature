@scope
Feature: Scope
  The server grants a default scope or asks for one, refuses or narrows what it
  does not know, and does not care about the order of scope values.

  # RFC 6749 §3.3: "If the client omits the scope parameter when requesting
  # authorization, the authorization server MUST either process the request
  # using a pre-defined default value or fail the request indicating an
  # invalid scope."
  @must @rfc6749-3.3 @needs-client-credentials
  Scenario: A request without scope gets the default scope or invalid_scope
    When the confidential client prepares a token request with the client credentials grant
    And the token request omits "scope"
    And the token request is sent
    Then the token request succeeds or fails with "invalid_scope"

  # RFC 6749 §3.3: the server "MAY fully or partially ignore the scope
  # requested"; "If the issued access token scope is different from the one
  # requested by the client, the authorization server MUST include the "scope"
  # response parameter".
  @must @rfc6749-3.3 @needs-client-credentials
  Scenario: An unknown scope is refused or narrowed openly
    When the confidential client prepares a token request with the client credentials grant
    And the token request parameter "scope" is "{scope} conformance-unknown-scope"
    And the token request is sent
    Then the server either refuses the scope with "invalid_scope" or says which scope it granted

  # RFC 6749 §3.3: "If the value contains multiple space-delimited strings,
  # their order does not matter".
  @must @rfc6749-3.3
  Scenario: Scope values in another order are accepted
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "{reversed_scope}"
    When the user authorizes the request
    And the client exchanges the code
    Then the token request succeeds

  # RFC 6749 §3.3 as above: refused, or ignored and the granted scope stated
  # in the token response (the code is exchanged to see).
  @must @rfc6749-3.3
  Scenario: An unknown scope at the authorization endpoint is refused or ignored openly
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "conformance-unknown-scope"
    When the user authorizes the request
    Then the client is refused with invalid_scope or access_denied, or gets a grant that states its scope if it is not the requested one
