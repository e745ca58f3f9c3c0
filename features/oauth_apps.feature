@oauth_apps @needs-segment-oauth-apps
Feature: Segment OAuth apps (management API and tracking enforcement)
  An OAuth app has a name, one or two RSA public keys in PEM, a token
  expiration period (1d 2d 3d 1w 2w 3w 30d) and scopes; it gets tokens by
  client credentials with a JWT client assertion signed by one of its keys.
  A source connected to an app can enforce OAuth: POST /v1/track for it then
  needs a Bearer token of that app with tracking_api:write. Apps live in a
  tenant (JSON:API at /v2/tenants/{T}/oauth-apps, HTTP Basic); what an account
  may do follows Segment's role table; another tenant is indistinguishable
  from nothing. Every scenario makes its own apps and holds a source alone.

  @must @segment-oauth-apps @rfc7523-2.2
  Scenario: An app created with a PEM public key gets tokens signed with its key
    When the app administrator creates an OAuth app with period "1w" and scopes "tracking_api:write"
    Then the response status is 201
    And the answer is the OAuth app
    When the app requests a token signed with its first key
    Then the app gets an access token that lives for the period "1w"
    When the app administrator gets the OAuth app
    Then the answer is the OAuth app
    When the app administrator lists the OAuth apps
    Then the listing holds the OAuth app

  @must @segment-oauth-apps
  Scenario Outline: Tokens live for the app's tokenExpirationPeriod (<period>)
    Given an OAuth app of this scenario with period "<period>" and scopes "tracking_api:write"
    When the app requests a token signed with its first key
    Then the app gets an access token that lives for the period "<period>"

    Examples:
      | period |
      | 1d     |
      | 3w     |
      | 30d    |

  @must @segment-oauth-apps
  Scenario: Edited period and scopes apply to the tokens issued afterwards
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When the app administrator changes the app's period to "2w" and its scopes to "tracking_api:write functions:write"
    Then the response status is 200
    And the answer is the OAuth app
    When the app requests a token with scope "functions:write" signed with its first key
    Then the app gets an access token that lives for the period "2w"

  @must @segment-oauth-apps
  Scenario: A second key works alongside the first and a third key is refused
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When the app administrator adds the second key to the app
    Then the response status is 201
    When the app requests a token signed with its second key
    Then the app gets an access token
    When the app requests a token signed with its first key
    Then the app gets an access token
    When the app administrator adds the first key to the app
    Then the answer is a JSON:API error with status 409

  @must @segment-oauth-apps
  Scenario: The last key cannot be deleted, and a deleted key no longer authenticates
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When the app administrator deletes the first key of the app
    Then the answer is a JSON:API error with status 409
    When the app administrator adds the second key to the app
    And the app administrator deletes the first key of the app
    Then the response status is 200
    When the app requests a token signed with its first key
    Then the token request fails with "invalid_client"
    When the app requests a token signed with its second key
    Then the app gets an access token

  @must @segment-oauth-apps
  Scenario: A token revoked by its value is refused by the tracking API
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario connected to the app and enforcing OAuth
    And the app holds a token signed with its first key
    When an event is sent to the tracking API with the app's token
    Then the tracking API accepts the event
    When the app administrator revokes the app's token by its value
    Then the response status is one of "200, 204"
    When an event is sent to the tracking API with the app's token
    Then the tracking API answers 401 with a Bearer challenge

  @must @segment-oauth-apps
  Scenario: OAuth enforcement needs a connected app
    Given a source of this scenario
    When the app administrator enables OAuth enforcement on the source
    Then the answer is a JSON:API error with status 409
    And the source is not connected and does not enforce OAuth
    When an event is sent to the tracking API with the write key alone
    Then the tracking API accepts the event

  @must @segment-oauth-apps @rfc6750-3.1
  Scenario: An enforcing source needs a Bearer token of its app
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario connected to the app and enforcing OAuth
    When an event is sent to the tracking API with the write key alone
    Then the tracking API answers 401 with a Bearer challenge
    Given the app holds a token signed with its first key
    When an event is sent to the tracking API with the app's token
    Then the tracking API accepts the event

  @must @segment-oauth-apps
  Scenario: An enforcing source refuses a token of another app
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario connected to the app and enforcing OAuth
    And another OAuth app of this scenario holds a token with scope "tracking_api:write"
    When an event is sent to the tracking API with the other app's token
    Then the tracking API refuses the token with 401 or 403

  @must @segment-oauth-apps @rfc6750-3.1
  Scenario: An enforcing source refuses a token of its app without tracking_api:write
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write functions:write"
    And a source of this scenario connected to the app and enforcing OAuth
    When the app requests a token with scope "functions:write" signed with its first key
    Then the app gets an access token
    When an event is sent to the tracking API with the app's token
    Then the tracking API refuses the token with 401 or 403

  @must @segment-oauth-apps
  Scenario: A source that enforces OAuth cannot be disconnected
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario connected to the app and enforcing OAuth
    When the app administrator disconnects the source
    Then the answer is a JSON:API error with status 409
    And the source is connected to the app and enforces OAuth

  @should @segment-oauth-apps
  Scenario: Disabling enforcement lets the write key alone through again
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario connected to the app and enforcing OAuth
    When the app administrator disables OAuth enforcement on the source
    Then the response status is 200
    When the app administrator disconnects the source
    Then the response status is 200
    And the source is not connected and does not enforce OAuth
    When an event is sent to the tracking API with the write key alone
    Then the tracking API accepts the event

  @must @segment-oauth-apps
  Scenario: An app with a connected source cannot be deleted
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario connected to the app
    When the app administrator deletes the OAuth app
    Then the answer is a JSON:API error with status 409
    When the app administrator gets the OAuth app
    Then the answer is the OAuth app
    When the app administrator disconnects the source
    And the app administrator deletes the OAuth app
    Then the response status is one of "200, 204"
    When the app administrator gets the OAuth app
    Then the answer is a JSON:API error with status 404
    When the app requests a token signed with its first key
    Then the token request fails with "invalid_client"

  @must @segment-oauth-apps @needs-segment-member
  Scenario: A role that may not manage OAuth apps is refused
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When the workspace member lists the OAuth apps
    Then the answer is a JSON:API error with status 403
    When the workspace member gets the OAuth app
    Then the answer is a JSON:API error with status 403
    When the workspace member creates an OAuth app with period "1d" and scopes "tracking_api:write"
    Then the answer is a JSON:API error with status 403
    When the workspace member deletes the OAuth app
    Then the answer is a JSON:API error with status 403
    When the app administrator gets the OAuth app
    Then the answer is the OAuth app

  @must @segment-oauth-apps @needs-segment-reader
  Scenario: A read-only role may view OAuth apps but not change them
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    And a source of this scenario
    When the read-only role gets the OAuth app
    Then the answer is the OAuth app
    When the read-only role lists the OAuth apps
    Then the listing holds the OAuth app
    When the read-only role creates an OAuth app with period "1d" and scopes "tracking_api:write"
    Then the answer is a JSON:API error with status 403
    When the read-only role changes the app's period to "30d" and its scopes to "tracking_api:write"
    Then the answer is a JSON:API error with status 403
    When the read-only role adds the second key to the app
    Then the answer is a JSON:API error with status 403
    When the read-only role connects the source to the app
    Then the answer is a JSON:API error with status 403
    When the read-only role deletes the OAuth app
    Then the answer is a JSON:API error with status 403
    And the source is not connected and does not enforce OAuth
    When the app administrator gets the OAuth app
    Then the answer is the OAuth app

  @must @segment-oauth-apps
  Scenario: Requests without credentials get 401 with a Basic challenge
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When a request without credentials lists the OAuth apps
    Then the answer is 401 with a Basic challenge
    When a request without credentials gets the OAuth app
    Then the answer is 401 with a Basic challenge

  @must @segment-oauth-apps @needs-other-tenant
  Scenario: Another tenant's OAuth apps look exactly like a tenant that does not exist
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When the app administrator lists the OAuth apps of the other tenant
    Then the answer is exactly the one for something that does not exist
    When the app administrator gets the OAuth app through the other tenant
    Then the answer is exactly the one for something that does not exist

  @must @segment-oauth-apps @needs-other-tenant-source
  Scenario: Another tenant's source looks exactly like a tenant that does not exist
    When the app administrator gets the other tenant's source
    Then the answer is exactly the one for something that does not exist

  @must @segment-oauth-apps
  Scenario Outline: A bad create request gets a JSON:API error and creates nothing (<bad input>)
    When the app administrator creates an OAuth app with <bad input>
    Then the answer is a JSON:API error with status <status>
    And no OAuth app was created

    Examples:
      | bad input                    | status |
      | a public key that is not PEM | 422    |
      | an unknown expiration period | 422    |
      | an unsupported scope         | 422    |
      | the wrong type               | 409    |
      | malformed JSON               | 400    |

  @should @segment-oauth-apps
  Scenario: The wrong data.type is refused naming the expected type
    When the app administrator creates an OAuth app with the wrong type
    Then the answer is a JSON:API error with status 409
    And the answer mentions "oauth-app"

  @should @segment-oauth-apps
  Scenario: An edit with an unknown expiration period changes nothing
    Given an OAuth app of this scenario with period "1d" and scopes "tracking_api:write"
    When the app administrator changes the app's period to "5d" and its scopes to "functions:write"
    Then the answer is a JSON:API error with status 422
    When the app administrator gets the OAuth app
    Then the answer is the OAuth app
