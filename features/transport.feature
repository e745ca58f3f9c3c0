@transport
Feature: Transport headers and bearer token use
  Token responses are never cached; the resource server takes a Bearer header
  and answers bad tokens with the RFC 6750 challenge.

  # RFC 6749 §5.1: "The authorization server MUST include the HTTP
  # "Cache-Control" response header field [RFC2616] with a value of "no-store"
  # in any response containing tokens, credentials, or other sensitive
  # information, as well as the "Pragma" response header field [RFC2616] with
  # a value of "no-cache"."
  @must @rfc6749-5.1
  Scenario: A token response carries Cache-Control no-store
    Given the confidential client holds tokens from the authorization code grant
    Then the response header "cache-control" contains "no-store"

  @must @rfc6749-5.1
  Scenario: A token response carries Pragma no-cache
    Given the confidential client holds tokens from the authorization code grant
    Then the response header "pragma" contains "no-cache"

  # An error response holds no token or credential, so RFC 6749 §5.1 does not
  # cover it.
  @advice @rfc6749-5.1
  Scenario: A token error response is not cacheable either
    When the confidential client requests a token with the unknown grant
    Then the response header "cache-control" contains "no-store"

  # RFC 6750 §2.1: "Resource servers MUST support this method."
  @must @rfc6750-2.1 @needs-resource
  Scenario: The resource server accepts a Bearer header
    Given the confidential client holds tokens from the authorization code grant
    Then the latest access token is accepted by the resource server

  # RFC 6750 §3: "the resource server MUST include the HTTP "WWW-Authenticate"
  # response header field"; "All challenges defined by this specification
  # MUST use the auth-scheme value "Bearer"."
  @must @rfc6750-3 @needs-resource
  Scenario: A bad token is refused with a Bearer challenge
    When the resource server is called with the token "conformance-bad-token"
    Then the resource server refuses it with a Bearer challenge

  # RFC 6750 §3: the server "SHOULD include the "error" attribute"; §3.1
  # invalid_token: "The resource server SHOULD respond with the HTTP 401
  # (Unauthorized) status code."
  @should @rfc6750-3.1 @needs-resource
  Scenario: A bad token gets 401 with an invalid_token challenge
    When the resource server is called with the token "conformance-bad-token"
    Then the response status is 401
    And the response header "www-authenticate" contains "Bearer"
    And the response header "www-authenticate" contains "invalid_token"

  # RFC 6750 §3.1 insufficient_scope: "The resource server SHOULD respond with
  # the HTTP 403 (Forbidden) status code".
  @should @rfc6750-3.1 @needs-insufficient-scope
  Scenario: A token without the needed scope gets 403 insufficient_scope
    Given the confidential client starts an authorization code request
    And the request parameter "scope" is "{insufficient_scope}"
    When the user authorizes the request
    And the client exchanges the code
    And the resource server is called with the latest access token
    Then the response status is 403
    And the response header "www-authenticate" contains "insufficient_scope"

  @should @rfc6750-2.3 @needs-resource
  Scenario: A token in the query is refused or not cacheable
    Given the confidential client holds tokens from the authorization code grant
    When the resource server is called with the latest access token in the query
    Then the token in the query is refused or the response is not cacheable
