// oidc-provider (https://github.com/panva/node-oidc-provider), configured for
// the oauth-conformance interop run and nothing else: an in-memory store, the
// library's own development login and consent pages (devInteractions), and
// fixed development keys. Never expose it beyond loopback.
//
//   node server.js [PORT]        # or PORT=... node server.js; default 3000
//
// Prints "listening on http://127.0.0.1:PORT" once it accepts connections.
// The clients below are described, key by key, in oidc-provider.toml.

import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

// The private_key_jwt client's public key: the reference server's demo key
// pair, whose private half oidc-provider.toml gives the suite to sign with.
const jwtKey = createPublicKey(
  readFileSync(new URL('../../server-reference/fixtures/demo-jwt-public.pem', import.meta.url)),
).export({ format: 'jwk' });

const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`bad port ${process.argv[2] ?? process.env.PORT}`);
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const callbacks = ['http://127.0.0.1:9876/callback', 'http://localhost:9876/callback'];

const configuration = {
  clients: [
    {
      // A web application: client_secret_basic, code + refresh tokens.
      client_id: 'conformance-confidential',
      client_secret: 'conformance-confidential-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: callbacks,
      scope: 'openid offline_access api read',
    },
    {
      // A second web application, client_secret_post, for the checks that a
      // code or token is bound to the client it was issued to.
      client_id: 'conformance-confidential-2',
      client_secret: 'conformance-confidential-2-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: callbacks,
      scope: 'openid offline_access api read',
    },
    {
      // A service: client credentials only, no redirect URIs.
      client_id: 'conformance-service',
      client_secret: 'conformance-service-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api read',
    },
    {
      // The same kind of service, sending its secret in the request body.
      client_id: 'conformance-service-post',
      client_secret: 'conformance-service-post-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api read',
    },
    {
      // A service authenticating with a JWT signed by its registered key
      // (RFC 7523 §2.2).
      client_id: 'conformance-jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS256',
      jwks: { keys: [{ ...jwtKey, kid: 'demo-key-1', use: 'sig', alg: 'RS256' }] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api read',
    },
    {
      // A native application: no secret, PKCE required (oidc-provider requires
      // it for every client whose token_endpoint_auth_method is none).
      client_id: 'conformance-public',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      scope: 'openid offline_access api read',
    },
  ],
  // Scopes beyond openid/offline_access that clients may be granted.
  scopes: ['openid', 'offline_access', 'api', 'read'],
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  // A refresh token for every client registered for the refresh_token grant.
  // The default issues one only for the offline_access scope, which OpenID
  // Connect honours only with prompt=consent; the suite's requests are plain
  // OAuth 2.0.
  async issueRefreshToken(_ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  // Short code lifetime so the expiry scenario waits seconds
  // ([timing].code_lifetime_secs in oidc-provider.toml).
  ttl: {
    AuthorizationCode: 10,
  },
  // Development-only signing keys for the cookies.
  cookies: { keys: ['conformance-interop-cookie-key-not-a-secret'] },
  // Every login succeeds (devInteractions takes any login and password).
  async findAccount(_ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
};

const provider = new Provider(issuer, configuration);
const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
