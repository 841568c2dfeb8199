-- Webhooks: each tenant's endpoints (the signing secret sealed like NAS secrets), the
-- outbox of deliveries (one per endpoint and event, written in the transaction of what
-- caused the event), the log of delivery attempts, and when each NAS was last heard from
-- (for nas.silent). A delivery is claimed with a lease (`next_attempt_at` pushed ahead,
-- `claim` set) so two collectors never deliver it at once; its idempotency key never
-- changes across retries. Tenant-owned tables lead their keys with tenant_id and have
-- row-level security like every other; the watcher's stream positions hold no tenant data.

CREATE TABLE webhook_endpoints (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    secret_sealed bytea NOT NULL,
    events text[] NOT NULL CHECK (cardinality(events) >= 1 AND events <@ ARRAY['quota.crossed', 'enforcement.acked',
        'enforcement.failed', 'nas.silent', 'invoice.finalized']),
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    endpoint_id bigint NOT NULL,
    event text NOT NULL,
    idempotency_key uuid NOT NULL DEFAULT gen_random_uuid(),
    -- json, not jsonb: the text is sent as written, the same on every retry.
    payload json NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claim uuid,
    delivered_at timestamptz,
    last_status_code integer,
    last_error text,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, idempotency_key),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, id);

CREATE TABLE webhook_attempts (
    tenant_id bigint NOT NULL,
    delivery_id bigint NOT NULL,
    attempt integer NOT NULL,
    started_at timestamptz NOT NULL,
    status_code integer,
    error text,
    duration_ms integer NOT NULL,
    PRIMARY KEY (tenant_id, delivery_id, attempt),
    FOREIGN KEY (tenant_id, delivery_id) REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
);

-- When each NAS was last heard from (the newest receipt time in the packet log), and
-- since when it is reported silent (NULL: not reported; cleared when it is heard again).
CREATE TABLE nas_activity (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    nas_id bigint NOT NULL,
    last_heard_at timestamptz NOT NULL,
    silent_reported_at timestamptz,
    PRIMARY KEY (tenant_id, nas_id)
);
CREATE INDEX nas_activity_heard ON nas_activity (last_heard_at) WHERE silent_reported_at IS NULL;
-- How far the silence watcher has read each stream of the packet log.
CREATE TABLE nas_activity_positions (
    stream bigint PRIMARY KEY,
    seq bigint NOT NULL
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'webhook_deliveries', 'webhook_attempts', 'nas_activity'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))'
                       ' WITH CHECK (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tollgate_tenant', t);
    END LOOP;
END $$;
