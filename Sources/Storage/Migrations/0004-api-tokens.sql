-- API tokens: only a SHA-256 of each token is kept. A platform admin token has no
-- tenant. Not visible to tollgate_tenant.

CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    tenant_id bigint REFERENCES tenants (id),
    role text NOT NULL CHECK (role IN ('admin', 'operator', 'billing', 'readonly')),
    name text NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    CHECK ((role = 'admin') = (tenant_id IS NULL))
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id);
