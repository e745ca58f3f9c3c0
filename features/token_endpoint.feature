@token
Feature: Token endpoint and client authentication
  The token endpoint accepts POST only, authenticates confidential clients by
  exactly one method, and answers with a Bearer token response.

  # RFC 6749 §2.3.1: "The authorization server MUST support the HTTP Basic
  # authentication scheme for authenticating clients that were issued a client
  # password."
  @must @rfc6749-2.3.1 @needs-client-credentials @needs-client-secret-basic
  Scenario: A confidential client authenticates with client_secret_basic
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with client_secret_basic
    And the token request is sent
    Then the token request succeeds

  # RFC 6749 §2.3.1: the body parameters are NOT RECOMMENDED, so only a server
  # declaring client_secret_post is held to them.
  @must @rfc6749-2.3.1 @needs-client-credentials @needs-client-secret-post
  Scenario: A confidential client authenticates with client_secret_post
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with client_secret_post
    And the token request is sent
    Then the token request succeeds

  # RFC 6749 §3.2: "The client MUST use the HTTP "POST" method when making
  # access token requests." That binds the client; no sentence makes the
  # server refuse GET.
  @advice @rfc6749-3.2
  Scenario: The token endpoint refuses GET
    Given the confidential client obtains an authorization code
    When the confidential client prepares a token request with the authorization code grant
    And the token request is sent with the method "GET"
    Then the token request is refused

  # RFC 6749 §5.2: invalid_client is "Client authentication failed (e.g.,
  # unknown client, no client authentication included, or unsupported
  # authentication method). The authorization server MAY return an HTTP 401".
  # So 400 or 401, never a token.
  @must @rfc6749-3.2.1 @rfc6749-5.2 @needs-client-credentials
  Scenario: A confidential client without authentication gets invalid_client
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with its client_id only
    And the token request is sent
    Then the token request fails with "invalid_client"
    And the invalid_client status fits how the client authenticated

  @must @rfc6749-4.1.3 @needs-public-client
  Scenario: A public client that leaves out client_id is refused
    Given the public client obtains an authorization code
    When the public client prepares a token request with the authorization code grant
    And the client authenticates with no credentials
    And the token request is sent
    Then the token request is refused

  # RFC 6749 §5.2: "If the client attempted to authenticate via the
  # "Authorization" request header field, the authorization server MUST
  # respond with an HTTP 401 (Unauthorized) status code and include the
  # "WWW-Authenticate" response header field matching the authentication
  # scheme used by the client."
  @must @rfc6749-2.3.1 @rfc6749-5.2 @needs-client-credentials @needs-client-secret-basic
  Scenario: A wrong Basic secret gets 401 with a Basic challenge
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with a wrong Basic secret
    And the token request is sent
    Then the token request fails with "invalid_client"
    And the response status is 401
    And the response header "www-authenticate" contains "Basic"

  # RFC 6749 §5.2: invalid_client "Client authentication failed".
  @must @rfc6749-2.3.1 @rfc6749-5.2 @needs-client-credentials @needs-client-secret-post
  Scenario: A wrong secret in the body gets invalid_client
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with a wrong secret in the body
    And the token request is sent
    Then the token request fails with "invalid_client"

  # RFC 6749 §2.3.1: "The parameters can only be transmitted in the
  # request-body and MUST NOT be included in the request URI." That binds the
  # request; no sentence makes the server refuse one that breaks it.
  @advice @rfc6749-2.3.1 @needs-client-credentials
  Scenario: Client credentials in the URL query are refused
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with credentials in the query
    And the token request is sent
    Then the token request is refused

  # RFC 6749 §2.3: "The client MUST NOT use more than one authentication
  # method in each request." That binds the client.
  @advice @rfc6749-2.3 @needs-client-credentials @needs-client-secret-post
  Scenario: Two authentication methods in one request are refused
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with basic and post together
    And the token request is sent
    Then the token request fails with one of "invalid_request, invalid_client"

  # No RFC sentence covers a body client_id that differs from the
  # authenticated client (the OpenID Foundation suite checks it).
  @advice @rfc6749-3.2.1 @needs-client-credentials @needs-second-client
  Scenario: A body client_id naming another client is refused
    When the confidential client prepares a token request with the client credentials grant
    And the client authenticates with client_secret_basic
    And the token request parameter "client_id" is "{second_client_id}"
    And the token request is sent
    Then the token request fails with one of "invalid_client, invalid_request"

  # RFC 6749 §3.2: "Request and response parameters MUST NOT be included more
  # than once."; §5.2: invalid_request for a request that "repeats a parameter".
  @must @rfc6749-3.2 @rfc6749-5.2 @needs-client-credentials
  Scenario: A repeated parameter is refused
    When the confidential client prepares a token request with the client credentials grant
    And the token request repeats "grant_type"
    And the token request is sent
    Then the token request fails with "invalid_request"

  # RFC 6749 §3.2: "The authorization server MUST ignore unrecognized request
  # parameters."
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

  # RFC 6749 §5.1: access_token "REQUIRED", token_type "REQUIRED", "The
  # parameters are included in the entity-body of the HTTP response using the
  # "application/json" media type".
  @must @rfc6749-5.1
  Scenario: The token response carries access_token and token_type Bearer as JSON
    Given the confidential client holds tokens from the authorization code grant
    Then the token request succeeds
    And the response header "content-type" contains "application/json"

  # RFC 6749 §5.1: expires_in "RECOMMENDED".
  @should @rfc6749-5.1
  Scenario: The token response carries expires_in
    Given the confidential client holds tokens from the authorization code grant
    Then the response has a "expires_in" member

  # RFC 6749 §10.10: "The probability of an attacker guessing generated tokens
  # ... MUST be less than or equal to 2^(-128)"; Appendix A.12:
  # access-token = 1*VSCHAR. Counted is what the value can hold (a UUIDv4: 122).
  @must @rfc6749-10.10
  Scenario: Access tokens are visible ASCII with at least 128 bits
    Given the confidential client holds tokens from the authorization code grant
    Then the access token uses only visible ASCII and carries at least 128 bits

  # RFC 9700 §2.5: "It is RECOMMENDED to use asymmetric cryptography for
  # client authentication, such as mutual TLS for OAuth 2.0 [RFC8705] or
  # signed JWTs ("Private Key JWT") in accordance with [RFC7521] and
  # [RFC7523]".
  @should @rfc9700-2.5 @needs-metadata
  Scenario: An asymmetric client authentication method is offered
    When the metadata document is fetched
    Then the metadata lists one of "private_key_jwt, tls_client_auth, self_signed_tls_client_auth" in "token_endpoint_auth_methods_supported"
