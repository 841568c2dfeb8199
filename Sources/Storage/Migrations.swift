/// The schema, as numbered migrations applied in order by `Migrator`.
///
/// Every tenant-owned table leads its primary key with tenant_id and carries a row-level
/// security policy keyed on the per-transaction setting `tollgate.tenant_id`; the role
/// `tollgate_tenant` that tenant-scoped work switches to is subject to those policies.
enum Migrations {
    static let all: [(version: Int, name: String, sql: String)] = [
        (1, "tenants, NAS devices, sessions, usage, raw packets", v1),
        (2, "plans, subscribers, invoices", v2),
        (3, "spool replay progress", v3),
        (4, "API tokens", v4),
        (5, "daily usage kept with the hourly buckets", v5),
        (6, "session generations", v6),
        (7, "NAS secret length and the Message-Authenticator requirement", v7),
        (8, "installation id, the identity spools record", v8),
        (9, "the packet log: append streams and their merge positions", v9),
        (10, "NAS dynamic-authorization settings: CoA port, CoA secret, vendor profile", v10),
        (11, "quota crossings, restrictions, top-ups and enforcement requests", v11),
        (12, "webhooks: endpoints, the delivery outbox, attempts, NAS activity", v12),
        (13, "console users, their sessions, the audit log of staff actions", v13),
        (14, "console usage pages: a subscriber's days by subscriber, merge positions readable by tenants", v14),
        (16, "the console's NAS health: enforcement requests by NAS, NAS reboots readable per tenant", v16),
        (17, "usage per subscriber and billing cycle kept with the daily rows", v17),
        (18, "datagrams dropped per NAS, reason and hour", v18),
        (19, "radacct import: imported sessions, row keys, runs and their totals", v19),
    ]

    static let v1 = """
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
        """

    static let v2 = """
        ALTER TABLE tenants ADD COLUMN rounding_mode text NOT NULL DEFAULT 'half-even'
            CHECK (rounding_mode IN ('half-even', 'half-up', 'half-down', 'ceiling', 'floor'));

        CREATE TABLE plans (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, id),
            UNIQUE (tenant_id, name)
        );

        -- Terms are the canonical JSON the Rating module reads back; a version is never edited,
        -- a correction is a new version (from the same or a later date).
        CREATE TABLE plan_versions (
            tenant_id bigint NOT NULL,
            plan_id bigint NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            effective_from date NOT NULL,
            terms text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, id),
            FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id)
        );
        CREATE INDEX plan_versions_plan ON plan_versions (tenant_id, plan_id, effective_from);

        CREATE TABLE subscribers (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            user_name text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 253),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, id),
            UNIQUE (tenant_id, user_name)
        );

        -- Days are local to the tenant; ends_on is the first day no longer on the plan.
        CREATE TABLE plan_assignments (
            tenant_id bigint NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            subscriber_id bigint NOT NULL,
            plan_id bigint NOT NULL,
            starts_on date NOT NULL,
            ends_on date CHECK (ends_on IS NULL OR ends_on > starts_on),
            PRIMARY KEY (tenant_id, id),
            FOREIGN KEY (tenant_id, subscriber_id) REFERENCES subscribers (tenant_id, id),
            FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id)
        );
        CREATE INDEX plan_assignments_subscriber ON plan_assignments (tenant_id, subscriber_id, starts_on);

        CREATE TABLE invoices (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            subscriber_id bigint NOT NULL,
            period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
            period_start date NOT NULL,
            period_end date NOT NULL,
            currency text NOT NULL,
            status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
            subtotal bigint NOT NULL DEFAULT 0,
            tax bigint NOT NULL DEFAULT 0,
            total bigint NOT NULL DEFAULT 0,
            created_at timestamptz NOT NULL DEFAULT now(),
            rated_at timestamptz NOT NULL DEFAULT now(),
            finalized_at timestamptz,
            PRIMARY KEY (tenant_id, id),
            UNIQUE (tenant_id, subscriber_id, period),
            FOREIGN KEY (tenant_id, subscriber_id) REFERENCES subscribers (tenant_id, id)
        );
        CREATE INDEX invoices_period ON invoices (tenant_id, period);

        CREATE TABLE invoice_lines (
            tenant_id bigint NOT NULL,
            invoice_id bigint NOT NULL,
            position integer NOT NULL,
            kind text NOT NULL,
            line_key text NOT NULL,
            description text NOT NULL,
            quantity numeric NOT NULL,
            unit text NOT NULL,
            unit_price numeric NOT NULL,
            amount bigint NOT NULL,
            tax_rate numeric NOT NULL,
            tax bigint NOT NULL,
            plan_version_id bigint,
            covers_from date NOT NULL,
            covers_until date NOT NULL,
            usage_bytes bigint,
            corrects_period text,
            PRIMARY KEY (tenant_id, invoice_id, position),
            FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
        );
        CREATE INDEX invoice_lines_corrections ON invoice_lines (tenant_id, corrects_period) WHERE corrects_period IS NOT NULL;

        -- A finalized invoice never changes, whatever a query tries. Line checks run once per
        -- statement over the affected invoices (a run writes thousands of lines at a time).
        CREATE FUNCTION refuse_final_invoice_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF OLD.status = 'final' THEN
                RAISE EXCEPTION 'invoice % is final and cannot change', OLD.id USING ERRCODE = 'P0001';
            END IF;
            RETURN coalesce(NEW, OLD);
        END $fn$;
        CREATE TRIGGER invoices_final BEFORE UPDATE OR DELETE ON invoices
            FOR EACH ROW EXECUTE FUNCTION refuse_final_invoice_change();
        CREATE FUNCTION refuse_final_invoice_lines() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE final_id bigint;
        BEGIN
            -- Lines moved between invoices count for both; the invoices are locked so a
            -- concurrent finalize waits for this statement's transaction.
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                SELECT i.id INTO final_id FROM invoices i JOIN (SELECT DISTINCT tenant_id, invoice_id FROM old_lines) l
                    ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id WHERE i.status = 'final' LIMIT 1;
            END IF;
            IF final_id IS NULL AND TG_OP IN ('INSERT', 'UPDATE') THEN
                SELECT i.id INTO final_id FROM invoices i JOIN (SELECT DISTINCT tenant_id, invoice_id FROM new_lines) l
                    ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id WHERE i.status = 'final' LIMIT 1;
                PERFORM 1 FROM invoices i JOIN (SELECT DISTINCT tenant_id, invoice_id FROM new_lines) l
                    ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id FOR SHARE OF i;
            END IF;
            IF final_id IS NOT NULL THEN
                RAISE EXCEPTION 'invoice % is final and its lines cannot change', final_id USING ERRCODE = 'P0001';
            END IF;
            RETURN NULL;
        END $fn$;
        CREATE TRIGGER invoice_lines_final_insert AFTER INSERT ON invoice_lines REFERENCING NEW TABLE AS new_lines
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_final_invoice_lines();
        CREATE TRIGGER invoice_lines_final_update AFTER UPDATE ON invoice_lines REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_final_invoice_lines();
        CREATE TRIGGER invoice_lines_final_delete AFTER DELETE ON invoice_lines REFERENCING OLD TABLE AS old_lines
            FOR EACH STATEMENT EXECUTE FUNCTION refuse_final_invoice_lines();

        -- Policies compare with the tenant setting read once per statement (an InitPlan), not
        -- once per row: reading a month of usage is several times faster. The tables of
        -- migration 1 get the same form.
        ALTER POLICY tenant_isolation ON tenants USING (id = (SELECT current_setting('tollgate.tenant_id')::bigint));
        DO $$
        DECLARE t text;
        BEGIN
            FOREACH t IN ARRAY ARRAY['nas_devices', 'sessions', 'usage_hourly', 'accounting_packets'] LOOP
                EXECUTE format('ALTER POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))'
                               ' WITH CHECK (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))', t);
            END LOOP;
            FOREACH t IN ARRAY ARRAY['plans', 'plan_versions', 'subscribers', 'plan_assignments', 'invoices', 'invoice_lines'] LOOP
                EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
                EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))'
                               ' WITH CHECK (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))', t);
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tollgate_tenant', t);
            END LOOP;
        END $$;
        """

    /// How far each collector's on-disk spool has been replayed: written in the same
    /// transaction as the replayed packets, so a replay interrupted at any point resumes
    /// without repeating or skipping a packet. No tenant data: not visible to tollgate_tenant.
    static let v3 = """
        CREATE TABLE spool_progress (
            spool_id uuid PRIMARY KEY,
            record bigint NOT NULL,
            items integer NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
        );
        """

    /// The installation id: created once, with the schema, and never changed, so a spool can
    /// tell this database from any other (`DatabaseIdentity`). A pg_dump copy carries it; the
    /// cluster's system identifier tells such copies apart. No tenant data: not visible to
    /// tollgate_tenant.
    static let v8 = """
        CREATE TABLE installation (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            id uuid NOT NULL DEFAULT gen_random_uuid(),
            created_at timestamptz NOT NULL DEFAULT now()
        );
        INSERT INTO installation DEFAULT VALUES;
        """

    /// API tokens: only a SHA-256 of each token is kept. A platform admin token has no
    /// tenant. Not visible to tollgate_tenant.
    static let v4 = """
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
        """

    /// Usage per subscriber and local day of the tenant, kept equal to the sum of the hourly
    /// buckets by statement triggers on usage_hourly (whoever writes them: the collector, a
    /// bulk load, a correction). Tenant-wide range queries (top subscribers, totals) read
    /// 24 times fewer rows. (A tenant's time zone cannot change once it has usage.)
    static let v5 = """
        CREATE TABLE usage_daily (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            day date NOT NULL,
            subscriber text NOT NULL,
            upload_bytes bigint NOT NULL DEFAULT 0,
            download_bytes bigint NOT NULL DEFAULT 0,
            session_seconds bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (tenant_id, day, subscriber)
        ) WITH (fillfactor = 80);
        ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON usage_daily USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
            WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
        GRANT SELECT ON usage_daily TO tollgate_tenant;

        -- Rows are added in key order so concurrent writers lock them alike.
        CREATE FUNCTION usage_daily_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
                SELECT n.tenant_id, (n.hour AT TIME ZONE t.time_zone)::date, n.subscriber,
                       sum(n.upload_bytes), sum(n.download_bytes), sum(n.session_seconds)
                FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                    upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                    session_seconds = usage_daily.session_seconds + excluded.session_seconds;
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
                SELECT n.tenant_id, (n.hour AT TIME ZONE t.time_zone)::date, n.subscriber,
                       sum(n.upload_bytes - o.upload_bytes), sum(n.download_bytes - o.download_bytes),
                       sum(n.session_seconds - o.session_seconds)
                FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.subscriber = n.subscriber AND o.hour = n.hour
                JOIN tenants t ON t.id = n.tenant_id
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                    upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                    session_seconds = usage_daily.session_seconds + excluded.session_seconds;
            ELSE
                UPDATE usage_daily d SET upload_bytes = d.upload_bytes - o.upload_bytes, download_bytes = d.download_bytes - o.download_bytes,
                       session_seconds = d.session_seconds - o.session_seconds
                FROM (SELECT o.tenant_id, (o.hour AT TIME ZONE t.time_zone)::date AS day, o.subscriber,
                             sum(o.upload_bytes) AS upload_bytes, sum(o.download_bytes) AS download_bytes, sum(o.session_seconds) AS session_seconds
                      FROM old_rows o JOIN tenants t ON t.id = o.tenant_id GROUP BY 1, 2, 3) o
                WHERE d.tenant_id = o.tenant_id AND d.day = o.day AND d.subscriber = o.subscriber;
                -- A day left without buckets has no row.
                DELETE FROM usage_daily d
                USING (SELECT DISTINCT o.tenant_id, (o.hour AT TIME ZONE t.time_zone)::date AS day, o.subscriber, t.time_zone
                       FROM old_rows o JOIN tenants t ON t.id = o.tenant_id) o
                WHERE d.tenant_id = o.tenant_id AND d.day = o.day AND d.subscriber = o.subscriber
                  AND NOT EXISTS (SELECT 1 FROM usage_hourly u WHERE u.tenant_id = o.tenant_id AND u.subscriber = o.subscriber
                                  AND u.hour >= (o.day::timestamp AT TIME ZONE o.time_zone)
                                  AND u.hour < ((o.day + 1)::timestamp AT TIME ZONE o.time_zone));
            END IF;
            RETURN NULL;
        END $fn$;
        CREATE TRIGGER usage_daily_insert AFTER INSERT ON usage_hourly REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_add();
        CREATE TRIGGER usage_daily_update AFTER UPDATE ON usage_hourly REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_add();
        CREATE TRIGGER usage_daily_delete AFTER DELETE ON usage_hourly REFERENCING OLD TABLE AS old_rows
            FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_add();
        REVOKE EXECUTE ON FUNCTION usage_daily_add() FROM PUBLIC;

        INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
        SELECT u.tenant_id, (u.hour AT TIME ZONE t.time_zone)::date, u.subscriber,
               sum(u.upload_bytes), sum(u.download_bytes), sum(u.session_seconds)
        FROM usage_hourly u JOIN tenants t ON t.id = u.tenant_id
        GROUP BY 1, 2, 3;
        """

    /// Session generations: a NAS that reuses an Acct-Session-Id begins generation 2, 3, ...
    /// of the same key instead of merging into the stored session. `is_latest` marks the
    /// newest generation of a key: a collector that opens a newer one clears it in the same
    /// transaction, which tells a concurrent collector that waited for the lock to read again.
    /// `has_start`: the session's Start was seen. NAS reboot times are kept per NAS.
    static let v6 = """
        ALTER TABLE sessions ADD COLUMN generation integer NOT NULL DEFAULT 1 CHECK (generation >= 1),
                             ADD COLUMN is_latest boolean NOT NULL DEFAULT true,
                             ADD COLUMN has_start boolean NOT NULL DEFAULT false;
        DO $$
        DECLARE c text;
        BEGIN
            SELECT conname INTO c FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'u';
            EXECUTE format('ALTER TABLE sessions DROP CONSTRAINT %I', c);
            SELECT conname INTO c FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'c'
                AND pg_get_constraintdef(oid) LIKE '%close_reason%';
            EXECUTE format('ALTER TABLE sessions DROP CONSTRAINT %I', c);
        END $$;
        ALTER TABLE sessions ADD CONSTRAINT sessions_key_generation
                UNIQUE (tenant_id, nas_id, acct_session_id, user_name, nas_port, generation),
            ADD CONSTRAINT sessions_close_reason CHECK (close_reason IN ('stop', 'nas-reboot', 'stale', 'superseded'));

        -- When each NAS last sent Accounting-On/Off: a packet received after it cannot belong
        -- to a session last heard of before it, whatever its times say.
        CREATE TABLE nas_reboots (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            nas_id bigint NOT NULL,
            received_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, nas_id)
        );
        ALTER TABLE nas_reboots ENABLE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON nas_reboots
            USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
            WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
        """

    /// What a NAS listing needs without opening secrets, and the per-NAS BlastRADIUS
    /// (CVE-2024-3596) setting. `secret_octets` is written with every secret; for secrets
    /// written before this version it is NULL until the collector, which opens every secret
    /// when it loads the registry, records it.
    static let v7 = """
        ALTER TABLE nas_devices ADD COLUMN secret_octets integer CHECK (secret_octets BETWEEN 1 AND 128);
        ALTER TABLE nas_devices ADD COLUMN require_message_authenticator boolean NOT NULL DEFAULT false;
        """

    /// The packet log: `accounting_packets` becomes the durable record that answers wait for.
    /// Each appender (one connection) writes one *stream* with consecutive `seq` numbers,
    /// committed in order, so the merger's position per stream (`merged_seq`, moved in the
    /// transaction that applies the rows) never passes a row committed later. Rows written
    /// before this version were applied when written: stream 0.
    static let v9 = """
        CREATE TABLE log_streams (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            opened_at timestamptz NOT NULL DEFAULT now(),
            merged_seq bigint NOT NULL DEFAULT 0,
            -- Set once the stream's appender is gone and every row of it is merged.
            retired_at timestamptz
        );
        CREATE INDEX log_streams_active ON log_streams (id) WHERE retired_at IS NULL;
        ALTER TABLE accounting_packets ADD COLUMN stream bigint NOT NULL DEFAULT 0,
                                       ADD COLUMN seq bigint NOT NULL DEFAULT 0;
        CREATE INDEX accounting_packets_stream ON accounting_packets (stream, seq);
        -- The accounting writer keeps usage_daily with its own deltas; the triggers stay for
        -- every other write of usage_hourly.
        CREATE OR REPLACE FUNCTION usage_daily_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
        BEGIN
            -- The accounting writer adds the same deltas to the daily rows itself.
            IF current_setting('tollgate.daily_kept_by_writer', true) = 'on' AND TG_OP <> 'DELETE' THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'INSERT' THEN
                INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
                SELECT n.tenant_id, (n.hour AT TIME ZONE t.time_zone)::date, n.subscriber,
                       sum(n.upload_bytes), sum(n.download_bytes), sum(n.session_seconds)
                FROM new_rows n JOIN tenants t ON t.id = n.tenant_id
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                    upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                    session_seconds = usage_daily.session_seconds + excluded.session_seconds;
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
                SELECT n.tenant_id, (n.hour AT TIME ZONE t.time_zone)::date, n.subscriber,
                       sum(n.upload_bytes - o.upload_bytes), sum(n.download_bytes - o.download_bytes),
                       sum(n.session_seconds - o.session_seconds)
                FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.subscriber = n.subscriber AND o.hour = n.hour
                JOIN tenants t ON t.id = n.tenant_id
                GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
                ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                    upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                    download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                    session_seconds = usage_daily.session_seconds + excluded.session_seconds;
            ELSE
                UPDATE usage_daily d SET upload_bytes = d.upload_bytes - o.upload_bytes, download_bytes = d.download_bytes - o.download_bytes,
                       session_seconds = d.session_seconds - o.session_seconds
                FROM (SELECT o.tenant_id, (o.hour AT TIME ZONE t.time_zone)::date AS day, o.subscriber,
                             sum(o.upload_bytes) AS upload_bytes, sum(o.download_bytes) AS download_bytes, sum(o.session_seconds) AS session_seconds
                      FROM old_rows o JOIN tenants t ON t.id = o.tenant_id GROUP BY 1, 2, 3) o
                WHERE d.tenant_id = o.tenant_id AND d.day = o.day AND d.subscriber = o.subscriber;
                -- A day left without buckets has no row.
                DELETE FROM usage_daily d
                USING (SELECT DISTINCT o.tenant_id, (o.hour AT TIME ZONE t.time_zone)::date AS day, o.subscriber, t.time_zone
                       FROM old_rows o JOIN tenants t ON t.id = o.tenant_id) o
                WHERE d.tenant_id = o.tenant_id AND d.day = o.day AND d.subscriber = o.subscriber
                  AND NOT EXISTS (SELECT 1 FROM usage_hourly u WHERE u.tenant_id = o.tenant_id AND u.subscriber = o.subscriber
                                  AND u.hour >= (o.day::timestamp AT TIME ZONE o.time_zone)
                                  AND u.hour < ((o.day + 1)::timestamp AT TIME ZONE o.time_zone));
            END IF;
            RETURN NULL;
        END $fn$;
        -- The merge leadership's epoch: a new leader counts it up, and every merge transaction
        -- checks it (holding the row for share until it commits), so a merger that lost the
        -- lead cannot commit after the next one began.
        CREATE TABLE merge_leadership (id integer PRIMARY KEY CHECK (id = 1), epoch bigint NOT NULL);
        INSERT INTO merge_leadership VALUES (1, 0);
        CREATE FUNCTION merge_fence(expected bigint) RETURNS void LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM 1 FROM merge_leadership WHERE id = 1 AND epoch = expected FOR SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'this merger no longer leads (epoch %)', expected USING ERRCODE = 'TGM01';
            END IF;
        END $fn$;
        -- Logged packets the merger could not apply (the database refused their effect):
        -- answered and kept in the log, listed here for an operator.
        CREATE TABLE log_refusals (
            stream bigint NOT NULL,
            seq bigint NOT NULL,
            refused_at timestamptz NOT NULL DEFAULT now(),
            error text NOT NULL,
            PRIMARY KEY (stream, seq)
        );
        """

    /// Quotas that act. A crossing is recorded (once per plan version, policy, period and
    /// allowance epoch) before anything is sent; every CoA or Disconnect request is recorded
    /// before it is sent and gets its outcome; a lasting restriction (throttle, block) is kept
    /// per subscriber until a top-up or the next period lifts it, so sessions that start
    /// meanwhile get it too.
    static let v11 = """
        CREATE TABLE top_ups (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            user_name text NOT NULL CHECK (length(user_name) BETWEEN 1 AND 253),
            period text NOT NULL CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
            bytes bigint NOT NULL CHECK (bytes > 0),
            note text CHECK (note IS NULL OR length(note) <= 500),
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, id)
        );
        CREATE INDEX top_ups_user ON top_ups (tenant_id, user_name, period);

        CREATE TABLE quota_crossings (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            user_name text NOT NULL,
            plan_version_id bigint NOT NULL,
            policy_index integer NOT NULL,
            period text NOT NULL CHECK (period IN ('cycle', 'day', 'week')),
            period_key text NOT NULL,
            epoch integer NOT NULL,
            action text NOT NULL CHECK (action IN ('notify', 'throttle', 'block', 'disconnect')),
            threshold text NOT NULL,
            threshold_bytes bigint NOT NULL,
            used_bytes bigint NOT NULL,
            rate text,
            fallback text CHECK (fallback IN ('block', 'disconnect')),
            crossed_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (tenant_id, id),
            UNIQUE (tenant_id, user_name, plan_version_id, policy_index, period_key, epoch)
        );

        CREATE TABLE quota_states (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            user_name text NOT NULL,
            crossing_id bigint NOT NULL,
            action text NOT NULL CHECK (action IN ('throttle', 'block')),
            rate text,
            restore_rate text,
            fallback text CHECK (fallback IN ('block', 'disconnect')),
            period text NOT NULL CHECK (period IN ('cycle', 'day', 'week')),
            period_key text NOT NULL,
            since timestamptz NOT NULL DEFAULT now(),
            -- One restriction per kind of period: a day's throttle ends at midnight without
            -- ending the cycle's.
            PRIMARY KEY (tenant_id, user_name, period)
        );

        CREATE TABLE enforcement_requests (
            tenant_id bigint NOT NULL REFERENCES tenants (id),
            id bigint GENERATED ALWAYS AS IDENTITY,
            user_name text NOT NULL,
            crossing_id bigint,
            session_id bigint NOT NULL,
            nas_id bigint NOT NULL,
            acct_session_id text NOT NULL,
            framed_ip_address inet,
            action text NOT NULL CHECK (action IN ('throttle', 'block', 'restore', 'disconnect')),
            reason text NOT NULL CHECK (reason IN ('crossing', 'reconnect', 'top-up', 'new-period', 'fallback')),
            -- One request per session and decision: c<crossing>, r<crossing> (its restore), f<request> (a fallback).
            decision_key text NOT NULL,
            rate text,
            fallback text CHECK (fallback IN ('block', 'disconnect')),
            status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acked', 'naked', 'timeout', 'failed')),
            attempts integer NOT NULL DEFAULT 0,
            error_cause bigint,
            detail text,
            decided_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz,
            -- Who sends it until when: another collector takes over a request whose lease ran out.
            lease_until timestamptz,
            claimed_by uuid,
            PRIMARY KEY (tenant_id, id),
            UNIQUE (tenant_id, session_id, decision_key)
        );
        CREATE INDEX enforcement_requests_pending ON enforcement_requests (id) WHERE status = 'pending';
        CREATE INDEX enforcement_requests_user ON enforcement_requests (tenant_id, user_name, id);
        -- A subscriber's live sessions, which every action goes to. Interim updates change
        -- neither column nor the predicate's, so they stay HOT.
        CREATE INDEX sessions_user_open ON sessions (tenant_id, user_name) WHERE stopped_at IS NULL;

        DO $$
        DECLARE t text;
        BEGIN
            FOREACH t IN ARRAY ARRAY['top_ups', 'quota_crossings', 'quota_states', 'enforcement_requests'] LOOP
                EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
                EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))'
                               ' WITH CHECK (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))', t);
                EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO tollgate_tenant', t);
            END LOOP;
        END $$;
        """

    /// Where and how each NAS takes RFC 5176 CoA and Disconnect requests. The CoA secret is
    /// sealed like `secret_sealed`; NULL means the NAS uses its accounting secret for dynamic
    /// authorization too, as most do. `vendor` names a profile file (Config/vendors/NAME.toml),
    /// so it is held to a file-name-safe form here as well.
    static let v10 = """
        ALTER TABLE nas_devices
            ADD COLUMN coa_port integer NOT NULL DEFAULT 3799 CHECK (coa_port BETWEEN 1 AND 65535),
            ADD COLUMN coa_secret_sealed bytea,
            ADD COLUMN coa_secret_octets integer CHECK (coa_secret_octets BETWEEN 1 AND 128),
            ADD COLUMN vendor text NOT NULL DEFAULT 'generic' CHECK (vendor ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
            ADD CONSTRAINT nas_devices_coa_secret CHECK ((coa_secret_sealed IS NULL) = (coa_secret_octets IS NULL));
        """
}
