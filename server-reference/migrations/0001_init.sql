-- The reference server's durable store (SPEC §2.4). Secrets are kept only as
-- SHA-256 digests (BLOB, 32 bytes); times are milliseconds since the Unix epoch.

CREATE TABLE clients (
    id                    TEXT PRIMARY KEY NOT NULL,
    name                  TEXT NOT NULL,
    secret_hash           BLOB CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
    -- JSON arrays of RFC 8414 / RFC 6749 names.
    auth_methods          TEXT NOT NULL,
    grants                TEXT NOT NULL,
    redirect_uris         TEXT NOT NULL,
    redirect_policy       TEXT NOT NULL,
    -- Space-delimited scope sets (RFC 6749 §3.3).
    scopes                TEXT NOT NULL,
    default_scope         TEXT NOT NULL,
    pkce                  TEXT NOT NULL,
    allow_plain_pkce      INTEGER NOT NULL,
    trusted               INTEGER NOT NULL,
    -- JSON array of {kid, alg, public_key_pem}: public keys as PEM.
    keys                  TEXT NOT NULL,
    access_token_ttl_secs INTEGER
) STRICT;

CREATE TABLE users (
    username    TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    -- Argon2id PHC string.
    password    TEXT NOT NULL,
    totp_secret TEXT
) STRICT;

CREATE TABLE codes (
    hash             BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
    client_id        TEXT NOT NULL,
    username         TEXT NOT NULL,
    redirect_uri     TEXT,
    scope            TEXT NOT NULL,
    challenge        TEXT,
    challenge_method TEXT,
    expires_at       INTEGER NOT NULL,
    grant_id         TEXT NOT NULL,
    used             INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE INDEX codes_expires_at ON codes (expires_at);

CREATE TABLE tokens (
    hash       BLOB PRIMARY KEY NOT NULL CHECK (length(hash) = 32),
    kind       TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    client_id  TEXT NOT NULL,
    username   TEXT,
    scope      TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER,
    grant_id   TEXT NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0,
    -- Refresh tokens rotated out (RFC 6749 §10.4).
    consumed   INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

CREATE INDEX tokens_expires_at ON tokens (expires_at) WHERE expires_at IS NOT NULL;

-- Grants revoked as a whole (code reuse, refresh replay). Consulted on every read,
-- so a token inserted after the revocation is revoked too.
CREATE TABLE revoked_grants (
    grant_id TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE consents (
    username  TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope     TEXT NOT NULL,
    PRIMARY KEY (username, client_id)
) STRICT, WITHOUT ROWID;

-- Client assertion ids seen (RFC 7523 §3), kept until they expire.
CREATE TABLE jtis (
    client_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, jti)
) STRICT, WITHOUT ROWID;

CREATE INDEX jtis_expires_at ON jtis (expires_at);
