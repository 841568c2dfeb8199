-- The billing console: its users (a tenant's staff with the API's roles, or a platform
-- admin without a tenant), their signed-in sessions (the cookie's SHA-256 only, like API
-- tokens), and the audit log of staff actions. Users and sessions are read before any
-- tenant is known (signing in), like API tokens, so they carry no row-level security;
-- the audit log is tenant data and has it.

CREATE TABLE console_users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id bigint REFERENCES tenants (id),
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role text NOT NULL CHECK (role IN ('admin', 'operator', 'billing', 'readonly')),
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'admin') = (tenant_id IS NULL))
);
CREATE UNIQUE INDEX console_users_email ON console_users (lower(email));

CREATE TABLE console_sessions (
    token_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES console_users (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    client text NOT NULL DEFAULT '' CHECK (length(client) <= 200)
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);

CREATE TABLE audit_log (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL CHECK (length(actor) BETWEEN 1 AND 300),
    action text NOT NULL CHECK (action ~ '^[a-z_.]{1,60}$'),
    object text NOT NULL CHECK (length(object) <= 300),
    detail text NOT NULL DEFAULT '' CHECK (length(detail) <= 2000),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
    WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
-- Staff actions are recorded, never edited: the tenant role may add and read only.
GRANT SELECT, INSERT ON audit_log TO tollgate_tenant;
