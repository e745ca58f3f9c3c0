@introspection
Feature: Introspection (RFC 7662) and token info
  Introspection tells an authenticated caller whether a token is active and
  what it grants; anything not active is {"active": false} and nothing more.

  @must @rfc7662-2.2 @needs-introspection
  Scenario: An active token introspects with its scope and client
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client introspects the latest access token
    Then the introspection says the token is active, with its scope and client

  @must @rfc7662-2.2 @needs-introspection
  Scenario: An unknown token is inactive and nothing more
    When the confidential client introspects the token "conformance-unknown-token"
    Then the introspection says only that the token is inactive

  @must @rfc7662-2.2 @needs-introspection @needs-revocation
  Scenario: A revoked token is inactive and nothing more
    Given the confidential client holds tokens from the authorization code grant
    When the confidential client revokes the latest access token
    And the confidential client introspects the latest access token
    Then the introspection says only that the token is inactive

  @must @rfc7662-2.1 @needs-introspection
  Scenario: Introspection needs an authenticated caller
    Given the confidential client holds tokens from the authorization code grant
    When a caller without credentials introspects the latest access token
    Then the response status is 401

  @may @gitlab-token-info @needs-token-info
  Scenario: Token info describes a valid token
    Given the confidential client holds tokens from the authorization code grant
    When the token info is requested for the latest access token
    Then the token info names the owner, scope, expiry and application

  @may @gitlab-token-info @needs-token-info
  Scenario: Token info refuses an unknown token
    When the token info is requested for the token "conformance-unknown-token"
    Then the response status is 401
