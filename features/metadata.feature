@metadata @needs-metadata
Feature: Authorization server metadata (RFC 8414)
  The metadata document names the issuer it belongs to and the endpoints and
  methods that actually work.

  # RFC 8414 §3.2: "A successful response MUST use the 200 OK HTTP status code
  # and return a JSON object using the "application/json" content type".
  @must @rfc8414-3.2
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

  # A check of the target file against the metadata, not of the server.
  @advice @rfc8414-2
  Scenario: The advertised endpoints are the ones in use
    When the metadata document is fetched
    Then the advertised endpoints are the ones the target uses

  # RFC 8414 §2: response_types_supported lists "the OAuth 2.0
  # "response_type" values that this authorization server supports";
  # grant_types_supported: "If omitted, the default value is
  # ["authorization_code", "implicit"]."
  @should @rfc8414-2
  Scenario: The advertised grants include the authorization code
    When the metadata document is fetched
    Then the metadata lists "authorization_code" in "grant_types_supported" or omits the member
    And the metadata lists "code" in "response_types_supported"

  # RFC 9207 §2.3: "For authorization servers publishing metadata according
  # to [RFC8414], the following rules apply: ... The server MUST indicate its
  # support for the iss parameter by setting the metadata parameter
  # authorization_response_iss_parameter_supported, defined in Section 3, to
  # true." (§3: "If omitted, the default value is false.")
  @must @rfc9207-2.3 @rfc9207-3 @needs-iss
  Scenario: The metadata announces the iss parameter
    When the metadata document is fetched
    Then the metadata says authorization responses carry iss
