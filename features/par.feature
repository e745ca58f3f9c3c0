@par @needs-par
Feature: Pushed authorization requests
  RFC 9126: the client POSTs its authorization request to the PAR endpoint,
  authenticated as at the token endpoint, and sends the user agent to the
  authorization endpoint with only `client_id` and the `request_uri` it got
  back. Every message is built from raw HTTP.

  # RFC 9126 §2.2: "If the verification is successful, the server MUST
  # generate a request URI and provide it in the response with a 201 HTTP
  # status code." The request_uri "MUST contain some part generated using a
  # cryptographically strong pseudorandom algorithm such that it is
  # computationally infeasible to predict or guess a valid value".
  @must @rfc9126-2.2
  Scenario: A pushed request is answered 201 with a random request_uri and its lifetime
    Given the confidential client starts an authorization code request
    When the client pushes the request
    Then the response status is 201
    And the push succeeds with a request_uri and its lifetime
    And the request_uri carries at least 128 random bits

  # RFC 9126 §4: "The client uses the request_uri value returned by the
  # authorization server to build an authorization request as defined in
  # [RFC9101]."
  @must @rfc9126-4
  Scenario: The request_uri stands for the pushed request at the authorization endpoint
    Given the confidential client pushes an authorization code request
    When the user authorizes the request
    And the client exchanges the code
    Then the token request succeeds
    And the state comes back unchanged

  # RFC 9126 §4: "Authorization servers SHOULD treat request_uri values as
  # one-time use but MAY allow for duplicate requests due to a user
  # reloading/refreshing their user agent."
  @should @rfc9126-4
  Scenario: A request_uri is used only once
    Given the confidential client pushes an authorization code request
    When the user authorizes the request
    And the user authorizes the request
    Then the authorization request is refused

  # RFC 9126 §2.2: "The request_uri value MUST be bound to the client that
  # posted the authorization request."
  @must @rfc9126-2.2 @needs-second-client
  Scenario: A request_uri is bound to the client that pushed it
    Given the confidential client pushes an authorization code request
    And the front channel also sends "client_id" as "{second_client_id}"
    When the user authorizes the request
    Then the authorization request is refused

  # RFC 9126 §4: "An expired request_uri MUST be rejected as invalid." The
  # wait is the target's declared lifetime; a target whose request_uris live
  # longer than 10 s skips this scenario.
  @must @rfc9126-4 @needs-par-expiry
  Scenario: An expired request_uri is refused
    Given the confidential client pushes an authorization code request
    When the request_uri lifetime has passed
    And the user authorizes the request
    Then the authorization request is refused

  # RFC 9126 §2.1: "The request_uri authorization request parameter is one
  # exception, and it MUST NOT be provided", and the server must "Reject the
  # request if the request_uri authorization request parameter is provided."
  @must @rfc9126-2.1
  Scenario: A request_uri inside the pushed request is refused
    Given the confidential client starts an authorization code request
    And the request parameter "request_uri" is "urn:ietf:params:oauth:request_uri:conformance-made-up"
    When the client pushes the request
    Then the push fails with "invalid_request"

  # RFC 9126 §2.1: the server must "Validate the pushed request as it would an
  # authorization request sent to the authorization endpoint", and §2.3 answers
  # errors as the token endpoint does (RFC 6749 §5.2).
  @must @rfc9126-2.1 @rfc9126-2.3
  Scenario: A pushed request with an unregistered redirect_uri is refused
    Given the confidential client starts an authorization code request
    And the request parameter "redirect_uri" is "https://conformance.invalid/callback"
    When the client pushes the request
    Then the push fails with "invalid_request"

  # RFC 9126 §4 builds the request as RFC 9101 does, whose §6.3 says the server
  # "MUST only use the parameters in the Request Object, even if the same
  # parameter is provided in the query parameter". Refusing the mixed request
  # outright is also safe; answering from the front channel is not.
  @must @rfc9126-4 @rfc9101-6.3 @needs-multiple-redirect-uris
  Scenario: Parameters repeated in the front channel do not change the pushed request
    Given the confidential client pushes an authorization code request
    And the front channel also sends "redirect_uri" as "{registered2}"
    And the front channel also sends "state" as "front-channel-state"
    When the user authorizes the request
    Then the answer follows the pushed request or refuses it

  # RFC 9126 §2.1: the server must "Authenticate the client in the same way as
  # at the token endpoint (Section 2.3 of [RFC6749])"; RFC 6749 §5.2 answers a
  # failed authentication with invalid_client.
  @must @rfc9126-2.1 @rfc6749-5.2
  Scenario Outline: A confidential client that pushes with <auth> is refused
    Given the confidential client starts an authorization code request
    When the client pushes the request with <auth>
    Then the push is refused with invalid_client

    Examples:
      | auth              |
      | no credentials    |
      | a wrong secret    |

  # RFC 9126 §5: "pushed_authorization_request_endpoint: The URL of the pushed
  # authorization request endpoint at which a client can post an authorization
  # request to exchange for a request_uri value usable at the authorization
  # server." Clients find the endpoint through it.
  @should @rfc9126-5 @needs-metadata
  Scenario: Metadata names the pushed authorization request endpoint
    When the metadata document is fetched
    Then the metadata names the pushed authorization request endpoint
