@jwt @needs-private-key-jwt
Feature: JWT client assertions (private_key_jwt, RFC 7523)
  A client authenticates with a short-lived JWT signed by its registered key;
  the server checks signature, issuer, subject, audience, lifetime and replay.

  @must @rfc7523-2.2
  Scenario: A valid client assertion is accepted
    When the jwt client requests a token with its client assertion
    Then the token request succeeds

  @must @rfc7523-3
  Scenario: An nbf 8 seconds in the future is tolerated
    Given the client assertion claim "nbf" is 8 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request succeeds

  @must @rfc7523-3
  Scenario: A wrong audience is refused
    Given the client assertion claim "aud" is "https://conformance.invalid/oauth"
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7523-3
  Scenario Outline: An assertion without <claim> is refused
    Given the client assertion has no "<claim>" claim
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

    Examples:
      | claim |
      | iss   |
      | sub   |
      | exp   |
      | aud   |

  @must @rfc7523-3
  Scenario: A subject that is not the client is refused
    Given the client assertion claim "sub" is "conformance-someone-else"
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7523-3
  Scenario: An assertion that expired 5 minutes ago is refused
    Given the client assertion claim "exp" is 300 seconds ago
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7523-3
  Scenario Outline: An assertion with <claim> 120 seconds in the future is refused
    Given the client assertion claim "<claim>" is 120 seconds from now
    And the client assertion claim "exp" is 180 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

    Examples:
      | claim |
      | nbf   |
      | iat   |

  @may @rfc7523-3
  Scenario: An assertion issued an hour ago is refused
    Given the client assertion claim "iat" is -3600 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3 requires an exp but sets no upper bound, and common client
  # libraries sign assertions valid for an hour; a server may still cap them.
  @may @rfc7523-3
  Scenario: An assertion valid for an hour is accepted
    Given the client assertion claim "exp" is 3600 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request succeeds

  @may @rfc7523-3
  Scenario: An assertion valid for a day is refused
    Given the client assertion claim "exp" is 86400 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @should @rfc7523-3
  Scenario: A replayed assertion is refused
    When the jwt client requests a token with its client assertion
    And the same client assertion is sent again
    Then the token request fails with "invalid_client"

  @must @rfc7523-3
  Scenario: A corrupted signature is refused
    Given the client assertion signature is corrupted
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7523-3
  Scenario: An unsigned assertion (alg none) is refused
    Given the client assertion is unsigned with alg none
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7523-3 @needs-jwt-public-key
  Scenario: An HS256 assertion keyed with the public key is refused
    Given the client assertion is signed with HS256 keyed by the client's public key
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7523-3
  Scenario: An unknown key id is refused
    Given the client assertion header kid is "conformance-unknown-kid"
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  @must @rfc7521-4.2
  Scenario: A wrong client_assertion_type is refused
    Given the client assertion type is "urn:conformance:wrong-type"
    When the jwt client requests a token with its client assertion
    Then the token request fails with one of "invalid_client, invalid_request"
