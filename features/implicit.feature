@implicit @needs-implicit
Feature: Implicit grant
  Deprecated by RFC 9700 §2.1.2; where a server still offers it, the token comes
  back in the fragment only, never with a refresh token.

  @must @rfc6749-4.2.2
  Scenario: The access token and state come back in the fragment
    Given the implicit client starts an implicit grant request
    When the user authorizes the request
    Then the client receives an access token in the fragment
    And the state comes back unchanged

  # RFC 6749 §4.2.2: "The authorization server MUST NOT issue a refresh token."
  @must @rfc6749-4.2.2
  Scenario: The implicit grant never issues a refresh token
    Given the implicit client starts an implicit grant request
    When the user authorizes the request
    Then the client receives an access token in the fragment
    And the fragment carries no refresh token

  # RFC 6749 §4.2.2.1: errors go in "the fragment component of the
  # redirection URI"; §3.3 lets the server ignore an unknown scope instead
  # (§4.2.2: scope "OPTIONAL, if identical to the scope requested by the
  # client; otherwise, REQUIRED"). Either way, in the fragment, with the state.
  @must @rfc6749-4.2.2.1 @rfc6749-3.3
  Scenario: An unknown scope in the implicit grant is refused in the fragment or ignored openly
    Given the implicit client starts an implicit grant request
    And the request parameter "scope" is "conformance-unknown-scope"
    When the user authorizes the request
    Then the client is refused with invalid_scope or access_denied, or gets a grant that states its scope if it is not the requested one
    And the state comes back unchanged

  @must @rfc6749-4.2.2.1
  Scenario: A client not allowed the implicit grant gets unauthorized_client
    Given the confidential client starts an implicit grant request
    When the user authorizes the request
    Then the client receives one of the errors "unauthorized_client, unsupported_response_type"

  @must @rfc9207-2 @needs-iss
  Scenario: The implicit response names the issuer
    Given the implicit client starts an implicit grant request
    When the user authorizes the request
    Then the client receives an access token in the fragment
    And the response carries iss equal to the issuer

  @must @rfc6750-2.1 @needs-resource
  Scenario: The implicit access token works at the resource server
    Given the implicit client starts an implicit grant request
    When the user authorizes the request
    Then the client receives an access token in the fragment
    And the latest access token is accepted by the resource server

  @may @gitlab-token-info @needs-token-info
  Scenario: The token info names the application behind an implicit token
    Given the implicit client starts an implicit grant request
    When the user authorizes the request
    And the client receives an access token in the fragment
    And the token info is requested for the latest access token
    Then the token info names the owner, scope, expiry and application
