@state
Feature: The state parameter
  The server returns state exactly as the client sent it, on success and on
  every error redirect, so the client can tie the response to its request.

  @must @rfc6749-4.1.2
  Scenario Outline: The state "<state>" comes back byte for byte
    Given the confidential client starts an authorization code request
    And the request parameter "state" is "<state>"
    When the user authorizes the request
    Then the client receives an authorization code
    And the state comes back unchanged

    Examples:
      | state                 |
      | simple                |
      | a&b=c+d%20e           |
      | spaces and / ? # : ;  |
      | ünïcödé ✓             |

  @must @rfc6749-4.1.2.1
  Scenario: The state comes back with an unsupported response_type error
    Given the confidential client starts an authorization code request
    And the request parameter "response_type" is "conformance_unknown"
    When the user authorizes the request
    Then the client receives the error "unsupported_response_type"
    And the state comes back unchanged

  # An unknown scope may be refused or ignored (RFC 6749 §3.3); a server that
  # ignores it may then deny a request left with nothing to grant
  # (access_denied, §4.1.2.1). Either way the response carries the state
  # ("REQUIRED if a "state" parameter was present in the client authorization
  # request", §4.1.2 and §4.1.2.1).
  @must @rfc6749-4.1.2.1 @rfc6749-3.3
  Scenario: The state comes back whether an unknown scope is refused or ignored
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "conformance-unknown-scope"
    When the user authorizes the request
    Then the client receives the error "invalid_scope, access_denied" or an authorization code
    And the state comes back unchanged

  @must @rfc6749-4.1.2
  Scenario: Without a state the flow succeeds and no state comes back
    Given the confidential client starts an authorization code request
    And the request omits "state"
    When the user authorizes the request
    Then the client receives an authorization code
    And no state comes back

  @must @rfc6749-4.1.2
  Scenario: A long state is returned intact or refused, never truncated
    Given the confidential client starts an authorization code request
    And the request has a state of 2000 characters
    When the user authorizes the request
    Then the state comes back unchanged or the client receives the error "invalid_request"
