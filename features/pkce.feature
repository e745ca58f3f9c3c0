@pkce
Feature: Proof Key for Code Exchange
  A code issued with a code_challenge is redeemed only with the matching
  code_verifier; PKCE cannot be downgraded or skipped.

  @must @rfc7636-4.5 @needs-public-client
  Scenario: A public client completes the flow with S256
    Given the public client starts an authorization code request
    When the user authorizes the request
    And the client exchanges the code
    Then the token request succeeds

  @must @rfc7636-4.6
  Scenario: A confidential client may use S256 even where PKCE is optional
    Given the confidential client starts an authorization code request
    And the request uses the PKCE method "S256"
    When the user authorizes the request
    And the client exchanges the code
    Then the token request succeeds

  @must @rfc7636-4.6 @needs-public-client
  Scenario: A wrong code_verifier is refused
    Given the public client starts an authorization code request
    When the user authorizes the request
    And the public client prepares a token request with the authorization code grant
    And the token request parameter "code_verifier" is "wrong-verifier-wrong-verifier-wrong-verifier-0123"
    And the token request is sent
    Then the token request fails with "invalid_grant"

  # RFC 9700 §2.1.1: "If a client sends a valid PKCE code_challenge parameter
  # in the authorization request, the authorization server MUST enforce the
  # correct usage of code_verifier at the token endpoint." A missing verifier
  # is invalid_grant or, as a missing parameter (RFC 6749 §5.2), invalid_request.
  @must @rfc9700-2.1.1 @rfc7636-4.6
  Scenario: A code issued with a challenge needs the verifier
    Given the confidential client starts an authorization code request
    And the request uses the PKCE method "S256"
    When the user authorizes the request
    And the confidential client prepares a token request with the authorization code grant
    And the token request omits "code_verifier"
    And the token request is sent
    Then the token request fails with one of "invalid_grant, invalid_request"

  # RFC 9700 §2.1.1: "Authorization servers MUST mitigate PKCE downgrade
  # attacks by ensuring that a token request containing a code_verifier
  # parameter is accepted only if a code_challenge parameter was present in
  # the authorization request". Where PKCE is required for every client no
  # code is issued without a challenge, so the scenario is skipped there
  # (it would pass on the refused authorization request alone).
  @must @rfc9700-4.8.2 @rfc9700-2.1.1 @needs-code-without-pkce
  Scenario: A verifier sent for a code issued without a challenge is refused
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    And the confidential client prepares a token request with the authorization code grant
    And the token request parameter "code_verifier" is "conformance-verifier-conformance-verifier-0123456"
    And the token request is sent
    Then the token request fails with one of "invalid_grant, invalid_request"

  @must @oauch-pkce-plain-downgrade @rfc7636-4.6 @needs-public-client
  Scenario: After an S256 challenge the challenge itself is not a valid verifier
    Given the public client starts an authorization code request
    When the user authorizes the request
    And the public client prepares a token request with the authorization code grant
    And the token request sends the code_challenge as the code_verifier
    And the token request is sent
    Then the token request fails with "invalid_grant"

  # RFC 7636 §4.4.1: "If the server supporting PKCE does not support the
  # requested transformation, the authorization endpoint MUST return the
  # authorization error response with "error" value set to "invalid_request"."
  @must @rfc7636-4.4.1 @needs-public-client
  Scenario: An unknown code_challenge_method is refused
    Given the public client starts an authorization code request
    And the request uses the PKCE method "S512"
    When the user authorizes the request
    Then the client receives the error "invalid_request"
    And the state comes back unchanged

  # RFC 7636 §4.1 binds the client ("code_verifier = high-entropy
  # cryptographic random STRING ... with a minimum length of 43 characters");
  # no sentence makes the server refuse other verifiers.
  @advice @rfc7636-4.1 @needs-public-client
  Scenario Outline: A code_verifier that is <problem> is refused
    Given the public client starts an authorization code request
    And the request uses the PKCE verifier "<verifier>"
    When the user authorizes the request
    And the client exchanges the code
    Then the token request fails with one of "invalid_grant, invalid_request"

    Examples:
      | problem           | verifier                                      |
      | 42 characters     | abcdefghijabcdefghijabcdefghijabcdefghijab    |
      | made of bad chars | abcdefghij!abcdefghij!abcdefghij!abcdefghij!x |

  # RFC 7636 §4.4.1: "If the server requires Proof Key for Code Exchange (PKCE)
  # by OAuth public clients and the client does not send the "code_challenge"
  # in the request, the authorization endpoint MUST return the authorization
  # error response with the "error" value set to "invalid_request"." RFC 9700
  # §2.1.1: "Public clients MUST use PKCE".
  @must @rfc7636-4.4.1 @rfc9700-2.1.1 @needs-public-client
  Scenario: A public client must send a code_challenge
    Given the public client starts an authorization code request
    And the request omits "code_challenge"
    When the user authorizes the request
    Then the client receives the error "invalid_request"

  # RFC 9700 §2.1.1 asks clients to avoid plain ("clients SHOULD use PKCE code
  # challenge methods that do not expose the PKCE verifier in the
  # authorization request"); no sentence makes the server refuse it.
  @advice @rfc9700-2.1.1 @needs-public-client
  Scenario: The plain method is refused
    Given the public client starts an authorization code request
    And the request uses the PKCE method "plain"
    When the user authorizes the request
    Then the client receives the error "invalid_request"

  # RFC 9700 §2.1.1: "It is RECOMMENDED for authorization servers to publish
  # the element code_challenge_methods_supported in their Authorization Server
  # Metadata [RFC8414] containing the supported PKCE challenge methods".
  @should @rfc9700-2.1.1 @needs-metadata
  Scenario: Metadata advertises S256
    When the metadata document is fetched
    Then the metadata lists "S256" in "code_challenge_methods_supported"

  # No sentence forbids listing plain; RFC 9700 §2.1.1 only steers clients off it.
  @advice @rfc9700-2.1.1 @needs-metadata
  Scenario: Metadata does not advertise plain
    When the metadata document is fetched
    Then the metadata does not list "plain" in "code_challenge_methods_supported"
