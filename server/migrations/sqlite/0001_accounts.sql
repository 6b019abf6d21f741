-- Enterprises, accounts and access tokens. Ids and timestamps are text (UUID, RFC 3339 UTC);
-- `body` holds the full record as JSON, the columns beside it what queries filter on.

CREATE TABLE enterprises (
    id TEXT PRIMARY KEY,
    uscc TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region_code TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT enterprises_uscc_key UNIQUE (uscc)
);
CREATE INDEX enterprises_region ON enterprises (region_code);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('enterprise_admin', 'clerk', 'read_only', 'regulator', 'platform_admin')),
    enterprise_id TEXT REFERENCES enterprises (id),
    region_code TEXT,
    display_name TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    CONSTRAINT accounts_login_key UNIQUE (login),
    -- Enterprise roles belong to an enterprise, a regulator to a region, nobody else to either.
    CHECK ((role IN ('enterprise_admin', 'clerk', 'read_only')) = (enterprise_id IS NOT NULL)),
    CHECK ((role = 'regulator') = (region_code IS NOT NULL))
);
CREATE INDEX accounts_enterprise ON accounts (enterprise_id);

-- Only a hash of each bearer token or session cookie is stored.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL CHECK (kind IN ('api', 'session')),
    csrf_hash TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX tokens_account ON tokens (account_id);
