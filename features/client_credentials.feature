@client_credentials @needs-client-credentials
Feature: Client credentials grant
  Confidential clients obtain tokens for themselves; no refresh token is issued
  and public clients are refused.

  @must @rfc6749-4.4.3
  Scenario: A confidential client obtains a token
    When the confidential client requests a token with the client credentials grant
    Then the token request succeeds
    And the response header "cache-control" contains "no-store"

  @should @rfc6749-4.4.3
  Scenario: No refresh token is issued
    When the confidential client requests a token with the client credentials grant
    Then the token request succeeds
    And the response has no "refresh_token" member

  # RFC 6749 §4.4: "The client credentials grant type MUST only be used by
  # confidential clients." §4.4.2: "The authorization server MUST
  # authenticate the client." A public client has nothing to authenticate
  # with, so it is refused: an RFC 6749 §5.2 error response, whichever of its
  # codes (the code is the next scenario's).
  @must @rfc6749-4.4 @rfc6749-4.4.2 @needs-public-client
  Scenario: A public client is refused
    When the public client requests a token with the client credentials grant
    Then the token request fails with one of "invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope"

  # RFC 6749 §5.2 defines the two codes that describe a public client at this
  # grant: invalid_client, "Client authentication failed (e.g., unknown
  # client, no client authentication included, or unsupported authentication
  # method).", and unauthorized_client, "The authenticated client is not
  # authorized to use this authorization grant type." No sentence says which
  # one a server must choose, so this is advice. unsupported_grant_type ("The
  # authorization grant type is not supported by the authorization server.")
  # does not fit a server that offers the grant, nor invalid_request (a
  # malformed request) a well-formed one.
  @advice @rfc6749-5.2 @needs-public-client
  Scenario: A public client at the client credentials grant gets invalid_client or unauthorized_client
    When the public client requests a token with the client credentials grant
    Then the token request fails with one of "invalid_client, unauthorized_client"

  # RFC 6749 §3.3: the server "MAY fully or partially ignore the scope
  # requested by the client"; "If the issued access token scope is different
  # from the one requested by the client, the authorization server MUST include
  # the "scope" response parameter". Checked by introspection when offered.
  @must @rfc6749-3.3
  Scenario: A narrower scope is granted, or the granted scope is stated
    When the confidential client prepares a token request with the client credentials grant
    And the token request parameter "scope" is "{narrow_scope}"
    And the token request is sent
    Then the token request succeeds and states its scope if it is not the requested one
