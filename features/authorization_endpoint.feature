@authorization
Feature: Authorization endpoint and redirect_uri
  The authorization endpoint only ever redirects the browser to a redirect_uri
  the client registered, compared as an exact string, and reports every other
  problem to the client through that redirect.

  @must @rfc6749-3.1.2.4 @rfc6749-4.1.2.1
  Scenario: An unregistered redirect_uri gets an error page, never a redirect
    Given the confidential client starts an authorization code request
    And the request parameter "redirect_uri" is "https://attacker.example/callback"
    When the user authorizes the request
    Then the server shows an error page and does not redirect

  @must @rfc9700-2.1 @rfc6749-3.1.2.4
  Scenario Outline: A redirect_uri that differs from the registered one by <change> is refused
    Given the confidential client starts an authorization code request
    And the request parameter "redirect_uri" is "<redirect_uri>"
    When the user authorizes the request
    Then the server shows an error page and does not redirect

    Examples:
      | change                 | redirect_uri                                   |
      | an added query         | {registered}?extra=x                           |
      | a path suffix          | {registered}/Wrong                             |
      | an encoded dot segment | {registered}%2F..                              |
      | a path parameter       | {registered}/;/../                             |
      | double encoding        | {registered}%252F                              |
      | encoded CR LF          | {registered}%0A%0D                             |
      | a trailing slash       | {registered}/                                  |
      | another host suffix    | http://127.0.0.1.attacker.example:9876/callback |
      | userinfo               | http://127.0.0.1:9876@attacker.example/callback |

  @must @rfc6749-3.1.2
  Scenario: A redirect_uri with a fragment is refused
    Given the confidential client starts an authorization code request
    And the request parameter "redirect_uri" is "{registered}#fragment"
    When the user authorizes the request
    Then the server shows an error page and does not redirect

  # RFC 6749 §3.1.2.4: "If an authorization request fails validation due to a
  # missing, invalid, or mismatching redirection URI, the authorization server
  # SHOULD inform the resource owner of the error and MUST NOT automatically
  # redirect the user-agent to the invalid redirection URI." (§3.1.2.3: with
  # several registered, "the client MUST include a redirection URI".)
  @must @rfc6749-3.1.2.3 @rfc6749-3.1.2.4 @needs-multiple-redirect-uris
  Scenario: A client with several redirect URIs must name one
    Given the confidential client starts an authorization code request
    And the request omits "redirect_uri"
    When the user authorizes the request
    Then the server shows an error page and does not redirect

  @must @rfc8252-7.3 @needs-loopback-any-port @needs-public-client
  Scenario: A loopback redirect URI matches on any port
    Given the public client starts an authorization code request
    And the request parameter "redirect_uri" is "{registered_port:51234}"
    When the user authorizes the request
    Then the client receives an authorization code

  @must @rfc6749-4.1.2.1
  Scenario Outline: A <problem> client_id gets an error page, never a redirect
    Given the confidential client starts an authorization code request
    And the request parameter "client_id" is "<client_id>"
    When the user authorizes the request
    Then the server shows an error page and does not redirect

    Examples:
      | problem | client_id                  |
      | unknown | conformance-unknown-client |
      | empty   |                            |

  @must @rfc6749-3.1.1
  Scenario: A missing response_type is refused
    Given the confidential client starts an authorization code request
    And the request omits "response_type"
    When the user authorizes the request
    Then the server shows an error page or redirects with one of the errors "invalid_request, unsupported_response_type"

  @must @rfc6749-4.1.2.1
  Scenario: An unsupported response_type is reported to the client
    Given the confidential client starts an authorization code request
    And the request parameter "response_type" is "conformance_unknown"
    When the user authorizes the request
    Then the client receives the error "unsupported_response_type"
    And the state comes back unchanged

  @must @rfc6749-3.1
  Scenario: An unknown parameter is ignored
    Given the confidential client starts an authorization code request
    And the request parameter "conformance_extension" is "ignored"
    When the user authorizes the request
    Then the client receives an authorization code

  @must @rfc6749-3.1
  Scenario: A repeated parameter is refused
    Given the confidential client starts an authorization code request
    And the request repeats "response_type"
    When the user authorizes the request
    Then the server shows an error page or redirects with one of the errors "invalid_request"

  @must @rfc9700-4.1
  Scenario: A code placed inside the redirect_uri does not yield a second code
    Given the confidential client starts an authorization code request
    And the request parameter "redirect_uri" is "{registered}?code=injected"
    When the user authorizes the request
    Then the server shows an error page and does not redirect

  @must @rfc6749-4.1.2.1 @needs-consent-deny
  Scenario: A user who denies sends the client access_denied with the state
    Given the confidential client starts an authorization code request
    And the request asks for a scope the user has not yet approved
    When the user denies the request
    Then the client receives the error "access_denied"
    And the state comes back unchanged

  @must @rfc6749-4.1.2
  Scenario: The code and state come back in the query, not the fragment
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    Then the client receives an authorization code
    And the state comes back unchanged

  # No RFC sentence forbids other members in an error response (clients
  # ignore unknown ones); the OpenID Foundation suite only warns.
  @advice @rfc6749-4.1.2.1
  Scenario: An error response carries only the error members
    Given the confidential client starts an authorization code request
    And the request parameter "response_type" is "conformance_unknown"
    When the user authorizes the request
    Then the error response carries only error, error_description, error_uri, state and iss

  @must @rfc9207-2 @needs-iss
  Scenario: A successful response names the issuer
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    Then the client receives an authorization code
    And the response carries iss equal to the issuer

  # RFC 9207 §2: "In authorization responses to the client, including error
  # responses, an authorization server supporting this specification MUST
  # indicate its identity by including the iss parameter in the response."
  # The trigger is one RFC 6749 §4.1.2.1 makes an error (an unknown scope may
  # be ignored, §3.3).
  @must @rfc9207-2 @needs-iss
  Scenario: An error response names the issuer
    Given the confidential client starts an authorization code request
    And the request parameter "response_type" is "conformance_unknown"
    When the user authorizes the request
    Then the client receives the error "unsupported_response_type"
    And the response carries iss equal to the issuer

  # RFC 9700 §4.16: "Authorization servers MUST prevent clickjacking attacks."
  @must @rfc9700-4.16 @needs-login-page
  Scenario: The login page cannot be framed
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    Then the login page forbids framing

  # Looked at without pressing allow or deny, so it needs no deny button.
  @must @rfc9700-4.16 @needs-consent-script
  Scenario: The consent page cannot be framed
    Given the confidential client starts an authorization code request
    And the request asks for a scope the user has not yet approved
    When the user reaches the consent page
    Then the consent page forbids framing

  # RFC 9700 §4.12: "Authorization servers that redirect a request that
  # potentially contains the user's credentials therefore MUST NOT use the
  # HTTP 307 status code for redirection." (308 is not named.) Needs a login
  # form the user agent posts.
  @must @rfc9700-4.12 @needs-login-page
  Scenario: Credentials posted to the server are never redirected with 307
    Given the confidential client starts an authorization code request
    When the user authorizes the request
    Then no form POST was answered with 307

  # RFC 9700 §2.6: "CORS MUST NOT be supported at the authorization endpoint,
  # as the client does not access this endpoint directly; instead, the client
  # redirects the user agent to it."
  @must @rfc9700-2.6
  Scenario: The authorization endpoint sends no CORS headers
    Given the confidential client starts an authorization code request
    When the browser sends the request with the Origin "https://attacker.example"
    Then the response has no "access-control-allow-origin" header

  @must @rfc6749-4.1.1 @needs-two-factor-user
  Scenario: A two-factor user logs in with a one-time code and authorizes
    Given the second confidential client starts an authorization code request
    When the two-factor user authorizes the request
    Then the client receives an authorization code
