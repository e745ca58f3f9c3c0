@revocation @needs-revocation
Feature: Token revocation (RFC 7009)
  A client revokes its own tokens; revoking a refresh token ends its grant;
  unknown tokens are not an error; other clients' tokens are out of reach.

  @must @rfc7009-2.1 @needs-refresh
  Scenario: A revoked refresh token stops working
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest refresh token
    Then the response status is 200
    And the latest refresh token no longer works

  @should @rfc7009-2.1 @needs-resource
  Scenario: A revoked access token is rejected by the resource server
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest access token
    Then the response status is 200
    And the latest access token is rejected by the resource server

  @should @rfc7009-2.1 @needs-resource @needs-refresh
  Scenario: Revoking a refresh token also revokes the access tokens of its grant
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest refresh token
    Then the latest access token is rejected by the resource server

  @must @rfc7009-2.2
  Scenario: Revoking an unknown token answers 200
    When the confidential client revokes the token "conformance-unknown-token"
    Then the response status is 200

  # RFC 7009 §2.1: "The authorization server first validates the client
  # credentials (in case of a confidential client)"; errors follow RFC 6749
  # §5.2 (§2.2.1), whose invalid_client status is 400 or 401 when no
  # Authorization header was sent.
  @must @rfc7009-2.1 @rfc7009-2.2.1
  Scenario: Revocation needs client authentication
    Given the confidential client holds tokens from the authorization code grant
    When a caller without credentials revokes the latest access token
    Then the request is refused without disclosing anything

  @must @rfc7009-2.1 @needs-resource
  Scenario: An unauthenticated revocation leaves the token working
    Given the confidential client holds tokens from the authorization code grant
    When a caller without credentials revokes the latest access token
    Then the latest access token is accepted by the resource server

  @must @rfc7009-2.1 @needs-second-client @needs-resource
  Scenario: A client cannot revoke another client's token
    Given the confidential client holds tokens from the authorization code grant
    When the second confidential client revokes the latest access token
    Then the latest access token is accepted by the resource server

  # RFC 7009 §2.1: "If the server is unable to locate the token using the
  # given hint, it MUST extend its search across all of its supported token
  # types."
  @must @rfc7009-2.1 @needs-resource
  Scenario: A wrong token_type_hint is ignored
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest access token with the hint "refresh_token"
    Then the response status is 200
    And the latest access token is rejected by the resource server

  @may @rfc7009-2.2.1
  Scenario: An unknown token_type_hint is ignored or refused with unsupported_token_type
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest access token with the hint "conformance_unknown_type"
    Then the response is 200 or the error "unsupported_token_type"
