@jwt @needs-private-key-jwt
Feature: JWT client assertions (private_key_jwt, RFC 7523)
  A client authenticates with a short-lived JWT signed by its registered key;
  the server checks signature, issuer, subject, audience, lifetime and replay.

  @must @rfc7523-2.2
  Scenario: A valid client assertion is accepted
    When the jwt client requests a token with its client assertion
    Then the token request succeeds

  # RFC 7523 §3 takes "nbf" from RFC 7519, whose §4.1.5 says: "Implementers
  # MAY provide for some small leeway, usually no more than a few minutes, to
  # account for clock skew."
  @may @rfc7523-3 @rfc7519-4.1.5
  Scenario: An nbf 8 seconds in the future is tolerated
    Given the client assertion claim "nbf" is 8 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request succeeds

  # RFC 7523 §3: "The authorization server MUST reject any JWT that does not
  # contain its own identity as the intended audience."
  @must @rfc7523-3
  Scenario: A wrong audience is refused
    Given the client assertion claim "aud" is "https://conformance.invalid/oauth"
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3: the JWT "MUST contain" iss, sub, aud and exp, and "the
  # authorization server MUST validate the JWT according to the criteria".
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

  # RFC 7523 §3: "For client authentication, the subject MUST be the
  # "client_id" of the OAuth client."
  @must @rfc7523-3
  Scenario: A subject that is not the client is refused
    Given the client assertion claim "sub" is "conformance-someone-else"
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3: "The authorization server MUST reject any JWT with an
  # expiration time that has passed, subject to allowable clock skew between
  # systems."
  @must @rfc7523-3
  Scenario: An assertion that expired 5 minutes ago is refused
    Given the client assertion claim "exp" is 300 seconds ago
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3: an "nbf" claim "identifies the time before which the token
  # MUST NOT be accepted for processing"; the leeway (RFC 7519 §4.1.5) is
  # "usually no more than a few minutes", so the nbf is ten minutes out.
  @must @rfc7523-3
  Scenario: An assertion with nbf ten minutes in the future is refused
    Given the client assertion claim "nbf" is 600 seconds from now
    And the client assertion claim "exp" is 660 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3 says nothing of an iat in the future.
  @advice @rfc7523-3
  Scenario: An assertion with iat 120 seconds in the future is refused
    Given the client assertion claim "iat" is 120 seconds from now
    And the client assertion claim "exp" is 180 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3: "the authorization server may reject JWTs with an "iat" claim
  # value that is unreasonably far in the past".
  @may @rfc7523-3
  Scenario: An assertion issued an hour ago is refused
    Given the client assertion claim "iat" is -3600 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3 requires an exp but sets no upper bound; common client
  # libraries sign assertions valid for an hour, so refusing them breaks those
  # clients. No sentence requires accepting them: advice.
  @advice @rfc7523-3
  Scenario: An assertion valid for an hour is accepted
    Given the client assertion claim "exp" is 3600 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request succeeds

  # RFC 7523 §3: "the authorization server may reject JWTs with an "exp"
  # claim value that is unreasonably far in the future".
  @may @rfc7523-3
  Scenario: An assertion valid for a day is refused
    Given the client assertion claim "exp" is 86400 seconds from now
    When the jwt client requests a token with its client assertion
    Then the token request fails with "invalid_client"

  # RFC 7523 §3: "The authorization server MAY ensure that JWTs are not
  # replayed by maintaining the set of used "jti" values for the length of
  # time for which the JWT would be considered valid".
  @may @rfc7523-3
  Scenario: A replayed assertion is refused
    When the jwt client requests a token with its client assertion
    And the same client assertion is sent again
    Then the token request fails with "invalid_client"

  # RFC 7523 §3: "The authorization server MUST reject JWTs with an invalid
  # signature or Message Authentication Code." (also for the next three)
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
