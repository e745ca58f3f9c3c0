@metadata @needs-metadata
Feature: Authorization server metadata (RFC 8414)
  The metadata document names the issuer it belongs to and the endpoints and
  methods that actually work.

  @should @rfc8414-3
  Scenario: The metadata document is JSON
    When the metadata document is fetched
    Then the response status is 200
    And the response header "content-type" contains "application/json"
    And the metadata is a JSON object

  @must @rfc8414-3.3
  Scenario: The metadata issuer is the issuer
    When the metadata document is fetched
    Then the metadata issuer is the issuer it was fetched for, with no query or fragment

  @must @rfc8414-2
  Scenario: The required members are present
    When the metadata document is fetched
    Then the metadata has the members "issuer, authorization_endpoint, token_endpoint, response_types_supported"

  @should @rfc8414-2
  Scenario: The advertised endpoints are the ones in use
    When the metadata document is fetched
    Then the advertised endpoints are the ones the target uses

  @should @rfc8414-2
  Scenario: The advertised grants include the authorization code
    When the metadata document is fetched
    Then the metadata lists "authorization_code" in "grant_types_supported"
    And the metadata lists "code" in "response_types_supported"

  @must @rfc9207-3 @needs-iss
  Scenario: The metadata announces the iss parameter
    When the metadata document is fetched
    Then the metadata says authorization responses carry iss
