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

  # RFC 6749 §4.4.2: "The authorization server MUST authenticate the client."
  @must @rfc6749-4.4 @rfc6749-4.4.2 @needs-public-client
  Scenario: A public client is refused
    When the public client requests a token with the client credentials grant
    Then the token request fails with one of "unauthorized_client, invalid_client"

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
