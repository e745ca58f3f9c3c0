@tenant_oauth_clients @needs-tenant-oauth-clients
Feature: Tenant OAuth clients (elastic.io management API)
  OAuth clients belong to tenants: one per component, only for a component
  that exists in the tenant and is visible, managed through JSON:API at
  /v2/tenants/{TENANT_ID}/oauth-clients with HTTP Basic {EMAIL}:{APIKEY}.
  Secrets are write-only. Another tenant is indistinguishable from nothing.

  @must @elasticio-oauth-clients
  Scenario: An OAuth client goes through its whole lifecycle
    Given a component of this scenario in the tenant
    When the administrator creates an OAuth client for the component
    Then the response status is 201
    And the answer is the OAuth client
    When the administrator lists the tenant's OAuth clients
    Then the response status is 200
    And the listing holds the OAuth client
    When the administrator lists the tenant's OAuth clients filtered by the component
    Then the listing holds the OAuth client and only clients of the component
    When the administrator gets the OAuth client
    Then the answer is the OAuth client
    When the administrator changes the OAuth client's client_id and client_secret
    Then the response status is 200
    And the answer is the OAuth client
    When the administrator gets the OAuth client
    Then the answer is the OAuth client
    When the administrator deletes the OAuth client
    Then the response status is 204
    When the administrator gets the OAuth client
    Then the answer is a JSON:API error with status 404
    When the administrator lists the tenant's OAuth clients filtered by the component
    Then the response status is 200

  @must @elasticio-oauth-clients
  Scenario: The client secret is write-only
    Given a component of this scenario in the tenant
    When the administrator creates an OAuth client for the component
    And the administrator gets the OAuth client
    And the administrator lists the tenant's OAuth clients filtered by the component
    And the administrator changes the OAuth client's client_id and client_secret
    And the administrator gets the OAuth client
    And the administrator lists the tenant's OAuth clients
    Then no response carried a client secret

  @must @elasticio-oauth-clients
  Scenario Outline: A bad create request gets a JSON:API error and changes nothing (<bad input>)
    Given a component of this scenario in the tenant
    When the administrator creates an OAuth client with <bad input>
    Then the answer is a JSON:API error with status <status>
    And the OAuth clients of that component are unchanged

    Examples:
      | bad input                        | status |
      | malformed JSON                   | 400    |
      | the wrong type                   | 409    |
      | no component relationship        | 400    |
      | an unknown component             | 422    |
      | a component that already has one | 409    |

  @should @jsonapi-errors
  Scenario: An oversized create request gets a JSON:API 413 and changes nothing
    Given a component of this scenario in the tenant
    When the administrator creates an OAuth client with a 2 MiB document
    Then the answer is a JSON:API error with status 413
    And the OAuth clients of that component are unchanged

  @should @jsonapi-errors
  Scenario: A method the collection does not offer gets a JSON:API 405
    When the administrator sends DELETE to the tenant's OAuth clients
    Then the answer is a JSON:API error with status 405

  @must @elasticio-oauth-clients
  Scenario: A second OAuth client for the same component is refused
    Given a component of this scenario in the tenant
    And the component has an OAuth client
    When the administrator creates an OAuth client for the component
    Then the answer is a JSON:API error with status 409
    When the administrator lists the tenant's OAuth clients filtered by the component
    Then the listing holds the OAuth client and only clients of the component
    And the listing holds exactly one OAuth client

  @must @elasticio-oauth-clients @needs-hidden-component
  Scenario: A client for a component that is not visible is refused
    Given a component of this scenario in the tenant
    When the administrator creates an OAuth client with the hidden component
    Then the answer is a JSON:API error with status 422
    And the OAuth clients of that component are unchanged

  @should @elasticio-oauth-clients
  Scenario: The wrong data.type is refused naming the expected type
    Given a component of this scenario in the tenant
    When the administrator creates an OAuth client with the wrong type
    Then the answer is a JSON:API error with status 409
    And the answer mentions "oauth-client"

  @must @elasticio-oauth-clients @needs-used-component
  Scenario: An OAuth client cannot be deleted while a flow uses its component
    Given a component of this scenario that a flow uses
    And the component has an OAuth client
    When the administrator deletes the OAuth client
    Then the answer is a JSON:API error with status 409
    And the OAuth client still exists

  @must @elasticio-oauth-clients
  Scenario: Requests without credentials get 401 with a Basic challenge
    Given a component of this scenario in the tenant
    When a request without credentials lists the tenant's OAuth clients
    Then the answer is 401 with a Basic challenge
    When a request without credentials creates an OAuth client for the component
    Then the answer is 401 with a Basic challenge

  @must @elasticio-oauth-clients @needs-read-only-account
  Scenario: An account with only tenants.oauth_clients.get can read but not write
    Given a component of this scenario in the tenant
    When the read-only account creates an OAuth client for the component
    Then the answer is a JSON:API error with status 403
    Given the component has an OAuth client
    When the read-only account gets the OAuth client
    Then the answer is the OAuth client
    When the read-only account lists the tenant's OAuth clients
    Then the response status is 200
    When the read-only account changes the OAuth client's client_id and client_secret
    Then the answer is a JSON:API error with status 403
    When the read-only account deletes the OAuth client
    Then the answer is a JSON:API error with status 403
    And the OAuth client still exists

  @must @elasticio-oauth-clients @needs-other-tenant
  Scenario: Another tenant's OAuth clients look exactly like a tenant that does not exist
    When the administrator lists the OAuth clients of the other tenant
    Then the answer is exactly the one for something that does not exist

  @must @elasticio-oauth-clients @needs-other-tenant
  Scenario: An OAuth client is not reachable through another tenant
    Given a component of this scenario in the tenant
    And the component has an OAuth client
    When the administrator gets the OAuth client through the other tenant
    Then the answer is exactly the one for something that does not exist
