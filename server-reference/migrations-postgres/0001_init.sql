-- The reference server's shared store on PostgreSQL: the same tables and columns
-- as the SQLite store (migrations/), so several server instances can serve one
-- deployment. Secrets are kept only as SHA-256 digests (BYTEA, 32 bytes); times
-- are milliseconds since the Unix epoch.

CREATE TABLE clients (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    secret_hash           BYTEA CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
    -- JSON arrays of RFC 8414 / RFC 6749 names.
    auth_methods          TEXT NOT NULL,
    grants                TEXT NOT NULL,
    redirect_uris         TEXT NOT NULL,
    redirect_policy       TEXT NOT NULL,
    -- Space-delimited scope sets (RFC 6749 §3.3).
    scopes                TEXT NOT NULL,
    default_scope         TEXT NOT NULL,
    pkce                  TEXT NOT NULL,
    allow_plain_pkce      BOOLEAN NOT NULL,
    trusted               BOOLEAN NOT NULL,
    -- JSON array of {kid, alg, public_key_pem}: public keys as PEM.
    keys                  TEXT NOT NULL,
    access_token_ttl_secs BIGINT
);

CREATE TABLE users (
    username    TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    -- Argon2id PHC string.
    password    TEXT NOT NULL,
    totp_secret TEXT
);

CREATE TABLE codes (
    hash             BYTEA PRIMARY KEY CHECK (length(hash) = 32),
    client_id        TEXT NOT NULL,
    username         TEXT NOT NULL,
    redirect_uri     TEXT,
    scope            TEXT NOT NULL,
    challenge        TEXT,
    challenge_method TEXT,
    expires_at       BIGINT NOT NULL,
    grant_id         TEXT NOT NULL,
    used             BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX codes_expires_at ON codes (expires_at);

CREATE TABLE tokens (
    hash       BYTEA PRIMARY KEY CHECK (length(hash) = 32),
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id  TEXT NOT NULL,
    username   TEXT,
    scope      TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT,
    grant_id   TEXT NOT NULL,
    revoked    BOOLEAN NOT NULL DEFAULT false,
    -- Refresh tokens rotated out (RFC 6749 §10.4).
    consumed   BOOLEAN NOT NULL DEFAULT false
);

CREATE INDEX tokens_expires_at ON tokens (expires_at) WHERE expires_at IS NOT NULL;

-- Grants revoked as a whole (code reuse, refresh replay). Consulted on every read,
-- so a token inserted after the revocation, by any instance, is revoked too.
CREATE TABLE revoked_grants (
    grant_id TEXT PRIMARY KEY
);

CREATE TABLE consents (
    username  TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope     TEXT NOT NULL,
    PRIMARY KEY (username, client_id)
);

-- Client assertion ids seen (RFC 7523 §3), kept until they expire. The primary
-- key makes a second insert of one id fail for every instance but the first.
CREATE TABLE jtis (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);

CREATE INDEX jtis_expires_at ON jtis (expires_at);

-- The management records (tenants' components, flows and OAuth-client records,
-- Hub services, Segment apps and sources) as one JSON document, replaced whole by
-- each change; see migrations/0002_management.sql for why one document.
CREATE TABLE management_records (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL
);
