@introspection
Feature: Introspection (RFC 7662) and token info
  Introspection tells an authenticated caller whether a token is active and
  what it grants; anything not active is {"active": false} and nothing more.

  @must @rfc7662-2.2 @needs-introspection
  Scenario: An active token introspects with its scope and client
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client introspects the latest access token
    Then the introspection says the token is active, with its scope and client

  # RFC 7662 §2.2: "If the introspection call is properly authorized but the
  # token is not active, does not exist on this server, or the protected
  # resource is not allowed to introspect this particular token, then the
  # authorization server MUST return an introspection response with the
  # "active" field set to "false"."
  @must @rfc7662-2.2 @needs-introspection
  Scenario: An unknown token is inactive
    When the confidential client introspects the token "conformance-unknown-token"
    Then the introspection says the token is inactive

  @must @rfc7662-2.2 @needs-introspection @needs-revocation
  Scenario: A revoked token is inactive
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest access token
    And the confidential client introspects the latest access token
    Then the introspection says the token is inactive

  # RFC 7662 §2.2: "the authorization server SHOULD NOT include any additional
  # information about an inactive token, including why the token is inactive."
  @should @rfc7662-2.2 @needs-introspection
  Scenario: An unknown token is inactive and nothing more
    When the confidential client introspects the token "conformance-unknown-token"
    Then the introspection says only that the token is inactive

  @should @rfc7662-2.2 @needs-introspection @needs-revocation
  Scenario: A revoked token is inactive and nothing more
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest access token
    And the confidential client introspects the latest access token
    Then the introspection says only that the token is inactive

  # RFC 7662 §2.1: "To prevent token scanning attacks, the endpoint MUST also
  # require some form of authorization to access this endpoint". The status
  # is not fixed (RFC 6749 §5.2 "MAY return an HTTP 401"): 400, 401 or 403,
  # with nothing about the token disclosed.
  @must @rfc7662-2.1 @needs-introspection
  Scenario: Introspection needs an authenticated caller
    Given the confidential client holds tokens from the authorization code grant
    When a caller without credentials introspects the latest access token
    Then the request is refused without disclosing anything

  @may @gitlab-token-info @needs-token-info
  Scenario: Token info describes a valid token
    Given the confidential client holds tokens from the authorization code grant
    When the token info is requested for the latest access token
    Then the token info names the owner, scope, expiry and application

  @may @gitlab-token-info @needs-token-info
  Scenario: Token info refuses an unknown token
    When the token info is requested for the token "conformance-unknown-token"
    Then the response status is 401
