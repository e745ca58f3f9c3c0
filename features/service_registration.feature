@service_registration @needs-service-registration
Feature: Hub service registration
  POST /api/rest/services?fields=id,secret registers a service and answers with
  its id and secret, which work at once as client credentials at the Hub token
  endpoint. The secret is shown only then. An administrator can mark a service
  trusted.

  @must @hub-services @needs-client-credentials
  Scenario: A registered service gets a token by client credentials with the returned credentials
    When the Hub administrator registers a service asking for fields id and secret
    Then the response status is 201
    And the answer holds exactly the service id and secret
    When the service asks the Hub token endpoint for a token by client credentials
    Then the service gets an access token

  @must @hub-services
  Scenario: The service secret is shown only at registration
    Given a service registered by the Hub administrator
    When the Hub administrator gets the service
    Then the answer is the service
    And no response after the registration carried the service secret

  @should @hub-services
  Scenario: An administrator marks a service trusted
    Given a service registered by the Hub administrator
    When the Hub administrator gets the service
    Then the answer is the service
    When the Hub administrator marks the service trusted
    Then the answer is the service, trusted
    When the Hub administrator gets the service
    Then the answer is the service, trusted
    And no response after the registration carried the service secret

  @must @hub-services @needs-client-credentials
  Scenario: Only a trusted service reaches Hub's resource server on its own behalf
    Given a service registered by the Hub administrator
    When the service asks the Hub token endpoint for a token by client credentials
    Then the service gets an access token
    When the service calls the Hub resource server with its own token
    Then the response status is 403
    When the Hub administrator marks the service trusted
    And the service calls the Hub resource server with its own token
    Then the response status is 200

  @must @hub-services
  Scenario: Registration without credentials gets 401 with a Basic challenge
    When a request without credentials registers a service asking for fields id and secret
    Then the answer is 401 with a Basic challenge
