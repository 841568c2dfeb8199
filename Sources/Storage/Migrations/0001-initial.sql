-- The first schema: tenants, the listeners and NAS devices that receive their accounting,
-- sessions, hourly usage per subscriber, and every accounting packet as received. Every
-- tenant-owned table leads its primary key with tenant_id and has the row-level security
-- policy tenant_isolation, keyed on the per-transaction setting `tollgate.tenant_id`, which
-- binds the role `tollgate_tenant` that tenant-scoped work switches to.

-- Roles are shared by every database of a cluster: another database may create it
-- at the same moment.
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tollgate_tenant') THEN
        CREATE ROLE tollgate_tenant NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
DO $$ BEGIN
    GRANT tollgate_tenant TO CURRENT_USER;
EXCEPTION WHEN unique_violation OR internal_error THEN NULL; -- granted concurrently
END $$;

CREATE TABLE tenants (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    time_zone text NOT NULL DEFAULT 'UTC',
    billing_day smallint NOT NULL DEFAULT 1 CHECK (billing_day BETWEEN 1 AND 28),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Listeners are named in the configuration; a dedicated one serves one tenant only.
CREATE TABLE listeners (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    tenant_id bigint REFERENCES tenants (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE nas_devices (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    listener text NOT NULL DEFAULT 'default',
    address cidr NOT NULL,
    identifier text CHECK (identifier IS NULL OR length(identifier) BETWEEN 1 AND 253),
    secret_sealed bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);
CREATE INDEX nas_devices_listener_address ON nas_devices USING gist (address inet_ops);

-- Bumped on every NAS change, so collectors refresh their registry without a restart.
CREATE TABLE registry_state (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
INSERT INTO registry_state VALUES (1, 1);
CREATE FUNCTION bump_registry_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $fn$
BEGIN
    UPDATE registry_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $fn$;
CREATE TRIGGER nas_devices_changed AFTER INSERT OR UPDATE OR DELETE ON nas_devices
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();
CREATE TRIGGER listeners_changed AFTER INSERT OR UPDATE OR DELETE ON listeners
    FOR EACH STATEMENT EXECUTE FUNCTION bump_registry_version();

CREATE TABLE sessions (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    nas_id bigint NOT NULL,
    acct_session_id text NOT NULL,
    user_name text NOT NULL,
    nas_port text NOT NULL,
    has_events boolean NOT NULL DEFAULT false,
    upload_bytes bigint NOT NULL DEFAULT 0,
    download_bytes bigint NOT NULL DEFAULT 0,
    session_seconds bigint NOT NULL DEFAULT 0,
    started_at timestamptz,
    last_event_at timestamptz,
    stopped_at timestamptz,
    close_reason text CHECK (close_reason IN ('stop', 'nas-reboot', 'stale')),
    -- RADIUS integers are unsigned 32-bit: bigint holds every value a NAS can send.
    terminate_cause bigint,
    interim_interval bigint,
    multi_session_id text,
    class bytea,
    framed_ip_address inet,
    calling_station_id text,
    called_station_id text,
    first_received_at timestamptz NOT NULL DEFAULT now(),
    last_received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, nas_id, acct_session_id, user_name, nas_port)
) WITH (fillfactor = 50);
-- Only columns an interim update never changes are indexed, so those updates stay HOT
-- (no new index entries): the hot path of the collector.
CREATE INDEX sessions_open ON sessions (tenant_id, nas_id) WHERE stopped_at IS NULL;
CREATE INDEX sessions_user ON sessions (tenant_id, user_name, first_received_at);

CREATE TABLE usage_hourly (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    subscriber text NOT NULL,
    hour timestamptz NOT NULL,
    upload_bytes bigint NOT NULL DEFAULT 0,
    download_bytes bigint NOT NULL DEFAULT 0,
    session_seconds bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, subscriber, hour)
) WITH (fillfactor = 80);
CREATE INDEX usage_hourly_hour ON usage_hourly (tenant_id, hour);

-- Every accounting packet as received, for audits and re-rating; partitioned by day.
CREATE TABLE accounting_packets (
    tenant_id bigint NOT NULL,
    received_at timestamptz NOT NULL,
    nas_id bigint NOT NULL,
    status_type bigint,
    user_name text,
    acct_session_id text,
    packet bytea NOT NULL
) PARTITION BY RANGE (received_at);
CREATE TABLE accounting_packets_default PARTITION OF accounting_packets DEFAULT;

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = current_setting('tollgate.tenant_id')::bigint);
ALTER TABLE nas_devices ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nas_devices
    USING (tenant_id = current_setting('tollgate.tenant_id')::bigint)
    WITH CHECK (tenant_id = current_setting('tollgate.tenant_id')::bigint);
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant_id = current_setting('tollgate.tenant_id')::bigint)
    WITH CHECK (tenant_id = current_setting('tollgate.tenant_id')::bigint);
ALTER TABLE usage_hourly ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_hourly
    USING (tenant_id = current_setting('tollgate.tenant_id')::bigint)
    WITH CHECK (tenant_id = current_setting('tollgate.tenant_id')::bigint);
ALTER TABLE accounting_packets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounting_packets
    USING (tenant_id = current_setting('tollgate.tenant_id')::bigint)
    WITH CHECK (tenant_id = current_setting('tollgate.tenant_id')::bigint);

GRANT SELECT ON tenants TO tollgate_tenant;
GRANT SELECT, INSERT, UPDATE, DELETE ON nas_devices, sessions, usage_hourly TO tollgate_tenant;
GRANT SELECT ON accounting_packets TO tollgate_tenant;
