--
-- PostgreSQL database dump
--

--
-- Name: billing_cycle_start(date, integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.billing_cycle_start(day date, billing_day integer) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((date_trunc('month'::text, ((day - (billing_day - 1)))::timestamp without time zone))::date + (billing_day - 1));

--
-- Name: bump_registry_version(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.bump_registry_version() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    UPDATE registry_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;

--
-- Name: merge_fence(bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.merge_fence(expected bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM 1 FROM merge_leadership WHERE id = 1 AND epoch = expected FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'this merger no longer leads (epoch %)', expected USING ERRCODE = 'TGM01';
    END IF;
END $$;

--
-- Name: refuse_final_invoice_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refuse_final_invoice_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.status = 'final' THEN
        RAISE EXCEPTION 'invoice % is final and cannot change', OLD.id USING ERRCODE = 'P0001';
    END IF;
    RETURN coalesce(NEW, OLD);
END $$;

--
-- Name: refuse_final_invoice_lines(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.refuse_final_invoice_lines() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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
END $$;

--
-- Name: usage_cycles_recut(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.usage_cycles_recut() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public'
    AS $$
BEGIN
    LOCK TABLE usage_daily IN SHARE MODE;
    DELETE FROM usage_cycles WHERE tenant_id = NEW.id;
    DELETE FROM usage_cycle_totals WHERE tenant_id = NEW.id;
    INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
    SELECT tenant_id, billing_cycle_start(day, NEW.billing_day), subscriber, sum(upload_bytes), sum(download_bytes), sum(session_seconds)
    FROM usage_daily WHERE tenant_id = NEW.id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
    INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
    SELECT tenant_id, cycle_start, sum(upload_bytes), sum(download_bytes), sum(session_seconds)
    FROM usage_cycles WHERE tenant_id = NEW.id GROUP BY 1, 2 ORDER BY 1, 2;
    RETURN NULL;
END $$;

--
-- Name: usage_cycles_truncate(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.usage_cycles_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public'
    AS $$
BEGIN
    TRUNCATE usage_cycles, usage_cycle_totals;
    RETURN NULL;
END $$;

--
-- Name: usage_daily_add(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.usage_daily_add() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public'
    AS $$
BEGIN
    -- The accounting writer adds the same deltas itself.
    IF current_setting('tollgate.daily_kept_by_writer', true) = 'on' AND TG_OP <> 'DELETE' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        WITH d AS (
            SELECT n.tenant_id, (n.hour AT TIME ZONE t.time_zone)::date AS day, n.subscriber, t.billing_day,
                   sum(n.upload_bytes)::bigint AS up, sum(n.download_bytes)::bigint AS down, sum(n.session_seconds)::bigint AS secs
            FROM new_rows n JOIN tenants t ON t.id = n.tenant_id GROUP BY 1, 2, 3, 4
        ),
        daily AS (
            INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, day, subscriber, up, down, secs FROM d ORDER BY 1, 2, 3
            ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                session_seconds = usage_daily.session_seconds + excluded.session_seconds
        ), cycles AS (
            INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, billing_cycle_start(day, billing_day), subscriber, sum(up), sum(down), sum(secs)
            FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (tenant_id, cycle_start, subscriber) DO UPDATE SET
                upload_bytes = usage_cycles.upload_bytes + excluded.upload_bytes,
                download_bytes = usage_cycles.download_bytes + excluded.download_bytes,
                session_seconds = usage_cycles.session_seconds + excluded.session_seconds
        )
        INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
        SELECT tenant_id, billing_cycle_start(day, billing_day), sum(up), sum(down), sum(secs) FROM d GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant_id, cycle_start) DO UPDATE SET
            upload_bytes = usage_cycle_totals.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_cycle_totals.download_bytes + excluded.download_bytes,
            session_seconds = usage_cycle_totals.session_seconds + excluded.session_seconds;
    ELSIF TG_OP = 'UPDATE' THEN
        WITH d AS (
            SELECT n.tenant_id, (n.hour AT TIME ZONE t.time_zone)::date AS day, n.subscriber, t.billing_day,
                   sum(n.upload_bytes - o.upload_bytes)::bigint AS up, sum(n.download_bytes - o.download_bytes)::bigint AS down,
                   sum(n.session_seconds - o.session_seconds)::bigint AS secs
            FROM new_rows n JOIN old_rows o ON o.tenant_id = n.tenant_id AND o.subscriber = n.subscriber AND o.hour = n.hour
            JOIN tenants t ON t.id = n.tenant_id GROUP BY 1, 2, 3, 4
        ),
        daily AS (
            INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, day, subscriber, up, down, secs FROM d ORDER BY 1, 2, 3
            ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                session_seconds = usage_daily.session_seconds + excluded.session_seconds
        ), cycles AS (
            INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, billing_cycle_start(day, billing_day), subscriber, sum(up), sum(down), sum(secs)
            FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (tenant_id, cycle_start, subscriber) DO UPDATE SET
                upload_bytes = usage_cycles.upload_bytes + excluded.upload_bytes,
                download_bytes = usage_cycles.download_bytes + excluded.download_bytes,
                session_seconds = usage_cycles.session_seconds + excluded.session_seconds
        )
        INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
        SELECT tenant_id, billing_cycle_start(day, billing_day), sum(up), sum(down), sum(secs) FROM d GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant_id, cycle_start) DO UPDATE SET
            upload_bytes = usage_cycle_totals.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_cycle_totals.download_bytes + excluded.download_bytes,
            session_seconds = usage_cycle_totals.session_seconds + excluded.session_seconds;
    ELSE
        WITH d AS (
            SELECT o.tenant_id, (o.hour AT TIME ZONE t.time_zone)::date AS day, o.subscriber, t.billing_day,
                   -sum(o.upload_bytes)::bigint AS up, -sum(o.download_bytes)::bigint AS down, -sum(o.session_seconds)::bigint AS secs
            FROM old_rows o JOIN tenants t ON t.id = o.tenant_id GROUP BY 1, 2, 3, 4
        ),
        daily AS (
            INSERT INTO usage_daily (tenant_id, day, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, day, subscriber, up, down, secs FROM d ORDER BY 1, 2, 3
            ON CONFLICT (tenant_id, day, subscriber) DO UPDATE SET
                upload_bytes = usage_daily.upload_bytes + excluded.upload_bytes,
                download_bytes = usage_daily.download_bytes + excluded.download_bytes,
                session_seconds = usage_daily.session_seconds + excluded.session_seconds
        ), cycles AS (
            INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
            SELECT tenant_id, billing_cycle_start(day, billing_day), subscriber, sum(up), sum(down), sum(secs)
            FROM d GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (tenant_id, cycle_start, subscriber) DO UPDATE SET
                upload_bytes = usage_cycles.upload_bytes + excluded.upload_bytes,
                download_bytes = usage_cycles.download_bytes + excluded.download_bytes,
                session_seconds = usage_cycles.session_seconds + excluded.session_seconds
        )
        INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
        SELECT tenant_id, billing_cycle_start(day, billing_day), sum(up), sum(down), sum(secs) FROM d GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (tenant_id, cycle_start) DO UPDATE SET
            upload_bytes = usage_cycle_totals.upload_bytes + excluded.upload_bytes,
            download_bytes = usage_cycle_totals.download_bytes + excluded.download_bytes,
            session_seconds = usage_cycle_totals.session_seconds + excluded.session_seconds;
        -- A day left without buckets has no row, nor a cycle without days.
        DELETE FROM usage_daily d
        USING (SELECT DISTINCT o.tenant_id, (o.hour AT TIME ZONE t.time_zone)::date AS day, o.subscriber, t.time_zone
               FROM old_rows o JOIN tenants t ON t.id = o.tenant_id) o
        WHERE d.tenant_id = o.tenant_id AND d.day = o.day AND d.subscriber = o.subscriber
          AND NOT EXISTS (SELECT 1 FROM usage_hourly u WHERE u.tenant_id = o.tenant_id AND u.subscriber = o.subscriber
                          AND u.hour >= (o.day::timestamp AT TIME ZONE o.time_zone)
                          AND u.hour < ((o.day + 1)::timestamp AT TIME ZONE o.time_zone));
        DELETE FROM usage_cycles c
        USING (SELECT DISTINCT o.tenant_id, billing_cycle_start((o.hour AT TIME ZONE t.time_zone)::date, t.billing_day) AS cycle_start,
                      o.subscriber
               FROM old_rows o JOIN tenants t ON t.id = o.tenant_id) o
        WHERE c.tenant_id = o.tenant_id AND c.cycle_start = o.cycle_start AND c.subscriber = o.subscriber
          AND NOT EXISTS (SELECT 1 FROM usage_daily u WHERE u.tenant_id = o.tenant_id AND u.subscriber = o.subscriber
                          AND u.day >= o.cycle_start AND u.day < (o.cycle_start + interval '1 month')::date);
    END IF;
    RETURN NULL;
END $$;

SET default_tablespace = '';

--
-- Name: accounting_packets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounting_packets (
    tenant_id bigint NOT NULL,
    received_at timestamp with time zone NOT NULL,
    nas_id bigint NOT NULL,
    status_type bigint,
    user_name text,
    acct_session_id text,
    packet bytea NOT NULL,
    stream bigint DEFAULT 0 NOT NULL,
    seq bigint DEFAULT 0 NOT NULL
)
PARTITION BY RANGE (received_at);

SET default_table_access_method = heap;

--
-- Name: accounting_packets_default; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounting_packets_default (
    tenant_id bigint NOT NULL,
    received_at timestamp with time zone NOT NULL,
    nas_id bigint NOT NULL,
    status_type bigint,
    user_name text,
    acct_session_id text,
    packet bytea NOT NULL,
    stream bigint DEFAULT 0 NOT NULL,
    seq bigint DEFAULT 0 NOT NULL
);

--
-- Name: api_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_tokens (
    id text NOT NULL,
    tenant_id bigint,
    role text NOT NULL,
    name text NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_tokens_check CHECK (((role = 'admin'::text) = (tenant_id IS NULL))),
    CONSTRAINT api_tokens_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'operator'::text, 'billing'::text, 'readonly'::text])))
);

--
-- Name: audit_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_log (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    object text NOT NULL,
    detail text DEFAULT ''::text NOT NULL,
    CONSTRAINT audit_log_action_check CHECK ((action ~ '^[a-z_.]{1,60}$'::text)),
    CONSTRAINT audit_log_actor_check CHECK (((length(actor) >= 1) AND (length(actor) <= 300))),
    CONSTRAINT audit_log_detail_check CHECK ((length(detail) <= 2000)),
    CONSTRAINT audit_log_object_check CHECK ((length(object) <= 300))
);

--
-- Name: audit_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: console_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.console_sessions (
    token_hash bytea NOT NULL,
    user_id bigint NOT NULL,
    csrf_token text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    client text DEFAULT ''::text NOT NULL,
    CONSTRAINT console_sessions_client_check CHECK ((length(client) <= 200))
);

--
-- Name: console_users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.console_users (
    id bigint NOT NULL,
    tenant_id bigint,
    email text NOT NULL,
    role text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    password_changed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT console_users_check CHECK (((role = 'admin'::text) = (tenant_id IS NULL))),
    CONSTRAINT console_users_email_check CHECK (((length(email) >= 3) AND (length(email) <= 254))),
    CONSTRAINT console_users_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'operator'::text, 'billing'::text, 'readonly'::text])))
);

--
-- Name: console_users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.console_users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.console_users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: enforcement_requests; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.enforcement_requests (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    user_name text NOT NULL,
    crossing_id bigint,
    session_id bigint NOT NULL,
    nas_id bigint NOT NULL,
    acct_session_id text NOT NULL,
    framed_ip_address inet,
    action text NOT NULL,
    reason text NOT NULL,
    decision_key text NOT NULL,
    rate text,
    fallback text,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    error_cause bigint,
    detail text,
    decided_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    lease_until timestamp with time zone,
    claimed_by uuid,
    CONSTRAINT enforcement_requests_action_check CHECK ((action = ANY (ARRAY['throttle'::text, 'block'::text, 'restore'::text, 'disconnect'::text]))),
    CONSTRAINT enforcement_requests_fallback_check CHECK ((fallback = ANY (ARRAY['block'::text, 'disconnect'::text]))),
    CONSTRAINT enforcement_requests_reason_check CHECK ((reason = ANY (ARRAY['crossing'::text, 'reconnect'::text, 'top-up'::text, 'new-period'::text, 'fallback'::text]))),
    CONSTRAINT enforcement_requests_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'acked'::text, 'naked'::text, 'timeout'::text, 'failed'::text])))
);

--
-- Name: enforcement_requests_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.enforcement_requests ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.enforcement_requests_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: installation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.installation (
    singleton boolean DEFAULT true NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT installation_singleton_check CHECK (singleton)
);

--
-- Name: invoice_lines; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoice_lines (
    tenant_id bigint NOT NULL,
    invoice_id bigint NOT NULL,
    "position" integer NOT NULL,
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
    corrects_period text
);

--
-- Name: invoices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoices (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    subscriber_id bigint NOT NULL,
    period text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    currency text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    subtotal bigint DEFAULT 0 NOT NULL,
    tax bigint DEFAULT 0 NOT NULL,
    total bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    rated_at timestamp with time zone DEFAULT now() NOT NULL,
    finalized_at timestamp with time zone,
    CONSTRAINT invoices_period_check CHECK ((period ~ '^[0-9]{4}-[0-9]{2}$'::text)),
    CONSTRAINT invoices_status_check CHECK ((status = ANY (ARRAY['draft'::text, 'final'::text])))
);

--
-- Name: invoices_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.invoices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.invoices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: listeners; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.listeners (
    name text NOT NULL,
    tenant_id bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT listeners_name_check CHECK ((name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text))
);

--
-- Name: log_refusals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.log_refusals (
    stream bigint NOT NULL,
    seq bigint NOT NULL,
    refused_at timestamp with time zone DEFAULT now() NOT NULL,
    error text NOT NULL
);

--
-- Name: log_streams; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.log_streams (
    id bigint NOT NULL,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    merged_seq bigint DEFAULT 0 NOT NULL,
    retired_at timestamp with time zone
);

--
-- Name: log_streams_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.log_streams ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.log_streams_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: merge_leadership; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.merge_leadership (
    id integer NOT NULL,
    epoch bigint NOT NULL,
    CONSTRAINT merge_leadership_id_check CHECK ((id = 1))
);

--
-- Name: nas_activity; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nas_activity (
    tenant_id bigint NOT NULL,
    nas_id bigint NOT NULL,
    last_heard_at timestamp with time zone NOT NULL,
    silent_reported_at timestamp with time zone
);

--
-- Name: nas_activity_positions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nas_activity_positions (
    stream bigint NOT NULL,
    seq bigint NOT NULL
);

--
-- Name: nas_devices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nas_devices (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    listener text DEFAULT 'default'::text NOT NULL,
    address cidr NOT NULL,
    identifier text,
    secret_sealed bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    secret_octets integer,
    require_message_authenticator boolean DEFAULT false NOT NULL,
    coa_port integer DEFAULT 3799 NOT NULL,
    coa_secret_sealed bytea,
    coa_secret_octets integer,
    vendor text DEFAULT 'generic'::text NOT NULL,
    CONSTRAINT nas_devices_coa_port_check CHECK (((coa_port >= 1) AND (coa_port <= 65535))),
    CONSTRAINT nas_devices_coa_secret CHECK (((coa_secret_sealed IS NULL) = (coa_secret_octets IS NULL))),
    CONSTRAINT nas_devices_coa_secret_octets_check CHECK (((coa_secret_octets >= 1) AND (coa_secret_octets <= 128))),
    CONSTRAINT nas_devices_identifier_check CHECK (((identifier IS NULL) OR ((length(identifier) >= 1) AND (length(identifier) <= 253)))),
    CONSTRAINT nas_devices_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT nas_devices_secret_octets_check CHECK (((secret_octets >= 1) AND (secret_octets <= 128))),
    CONSTRAINT nas_devices_vendor_check CHECK ((vendor ~ '^[a-z0-9][a-z0-9_-]{0,39}$'::text))
);

--
-- Name: nas_devices_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.nas_devices ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.nas_devices_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: nas_drops; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nas_drops (
    tenant_id bigint NOT NULL,
    nas_id bigint NOT NULL,
    hour timestamp with time zone NOT NULL,
    reason text NOT NULL,
    datagrams bigint NOT NULL,
    CONSTRAINT nas_drops_datagrams_check CHECK ((datagrams >= 0)),
    CONSTRAINT nas_drops_reason_check CHECK ((reason ~ '^[a-z_]{1,40}$'::text))
);

--
-- Name: nas_reboots; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.nas_reboots (
    tenant_id bigint NOT NULL,
    nas_id bigint NOT NULL,
    received_at timestamp with time zone NOT NULL
);

--
-- Name: plan_assignments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.plan_assignments (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    subscriber_id bigint NOT NULL,
    plan_id bigint NOT NULL,
    starts_on date NOT NULL,
    ends_on date,
    CONSTRAINT plan_assignments_check CHECK (((ends_on IS NULL) OR (ends_on > starts_on)))
);

--
-- Name: plan_assignments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.plan_assignments ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.plan_assignments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: plan_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.plan_versions (
    tenant_id bigint NOT NULL,
    plan_id bigint NOT NULL,
    id bigint NOT NULL,
    effective_from date NOT NULL,
    terms text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: plan_versions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.plan_versions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.plan_versions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: plans; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.plans (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT plans_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100)))
);

--
-- Name: plans_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.plans ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.plans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: quota_crossings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quota_crossings (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    user_name text NOT NULL,
    plan_version_id bigint NOT NULL,
    policy_index integer NOT NULL,
    period text NOT NULL,
    period_key text NOT NULL,
    epoch integer NOT NULL,
    action text NOT NULL,
    threshold text NOT NULL,
    threshold_bytes bigint NOT NULL,
    used_bytes bigint NOT NULL,
    rate text,
    fallback text,
    crossed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT quota_crossings_action_check CHECK ((action = ANY (ARRAY['notify'::text, 'throttle'::text, 'block'::text, 'disconnect'::text]))),
    CONSTRAINT quota_crossings_fallback_check CHECK ((fallback = ANY (ARRAY['block'::text, 'disconnect'::text]))),
    CONSTRAINT quota_crossings_period_check CHECK ((period = ANY (ARRAY['cycle'::text, 'day'::text, 'week'::text])))
);

--
-- Name: quota_crossings_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.quota_crossings ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.quota_crossings_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: quota_states; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quota_states (
    tenant_id bigint NOT NULL,
    user_name text NOT NULL,
    crossing_id bigint NOT NULL,
    action text NOT NULL,
    rate text,
    restore_rate text,
    fallback text,
    period text NOT NULL,
    period_key text NOT NULL,
    since timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT quota_states_action_check CHECK ((action = ANY (ARRAY['throttle'::text, 'block'::text]))),
    CONSTRAINT quota_states_fallback_check CHECK ((fallback = ANY (ARRAY['block'::text, 'disconnect'::text]))),
    CONSTRAINT quota_states_period_check CHECK ((period = ANY (ARRAY['cycle'::text, 'day'::text, 'week'::text])))
);

--
-- Name: radacct_import_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.radacct_import_runs (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    source text NOT NULL,
    fingerprint text NOT NULL,
    "position" bigint DEFAULT 0 NOT NULL,
    rows_read bigint DEFAULT 0 NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone
);

--
-- Name: radacct_import_runs_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.radacct_import_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.radacct_import_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: radacct_import_totals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.radacct_import_totals (
    tenant_id bigint NOT NULL,
    run_id bigint NOT NULL,
    subscriber text NOT NULL,
    sessions bigint NOT NULL,
    source_upload bigint NOT NULL,
    source_download bigint NOT NULL,
    imported_upload bigint NOT NULL,
    imported_download bigint NOT NULL,
    imported_seconds bigint NOT NULL
);

--
-- Name: radacct_imports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.radacct_imports (
    tenant_id bigint NOT NULL,
    unique_id text NOT NULL,
    run_id bigint NOT NULL,
    "position" bigint NOT NULL,
    session_id bigint NOT NULL
);

--
-- Name: registry_state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.registry_state (
    id integer NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT registry_state_id_check CHECK ((id = 1))
);

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    nas_id bigint NOT NULL,
    acct_session_id text NOT NULL,
    user_name text NOT NULL,
    nas_port text NOT NULL,
    has_events boolean DEFAULT false NOT NULL,
    upload_bytes bigint DEFAULT 0 NOT NULL,
    download_bytes bigint DEFAULT 0 NOT NULL,
    session_seconds bigint DEFAULT 0 NOT NULL,
    started_at timestamp with time zone,
    last_event_at timestamp with time zone,
    stopped_at timestamp with time zone,
    close_reason text,
    terminate_cause bigint,
    interim_interval bigint,
    multi_session_id text,
    class bytea,
    framed_ip_address inet,
    calling_station_id text,
    called_station_id text,
    first_received_at timestamp with time zone DEFAULT now() NOT NULL,
    last_received_at timestamp with time zone DEFAULT now() NOT NULL,
    generation integer DEFAULT 1 NOT NULL,
    is_latest boolean DEFAULT true NOT NULL,
    has_start boolean DEFAULT false NOT NULL,
    imported_at timestamp with time zone,
    CONSTRAINT sessions_close_reason CHECK ((close_reason = ANY (ARRAY['stop'::text, 'nas-reboot'::text, 'stale'::text, 'superseded'::text]))),
    CONSTRAINT sessions_generation_check CHECK (((generation >= 1) OR (imported_at IS NOT NULL)))
)
WITH (fillfactor='50');

--
-- Name: sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.sessions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: spool_progress; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.spool_progress (
    spool_id uuid NOT NULL,
    record bigint NOT NULL,
    items integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: subscribers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.subscribers (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    user_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT subscribers_user_name_check CHECK (((length(user_name) >= 1) AND (length(user_name) <= 253)))
);

--
-- Name: subscribers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.subscribers ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.subscribers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: tenants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenants (
    id bigint NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    currency text DEFAULT 'EUR'::text NOT NULL,
    time_zone text DEFAULT 'UTC'::text NOT NULL,
    billing_day smallint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    rounding_mode text DEFAULT 'half-even'::text NOT NULL,
    CONSTRAINT tenants_billing_day_check CHECK (((billing_day >= 1) AND (billing_day <= 28))),
    CONSTRAINT tenants_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT tenants_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT tenants_rounding_mode_check CHECK ((rounding_mode = ANY (ARRAY['half-even'::text, 'half-up'::text, 'half-down'::text, 'ceiling'::text, 'floor'::text]))),
    CONSTRAINT tenants_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9_-]{0,62}$'::text))
);

--
-- Name: tenants_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.tenants ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.tenants_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: top_ups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.top_ups (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    user_name text NOT NULL,
    period text NOT NULL,
    bytes bigint NOT NULL,
    note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT top_ups_bytes_check CHECK ((bytes > 0)),
    CONSTRAINT top_ups_note_check CHECK (((note IS NULL) OR (length(note) <= 500))),
    CONSTRAINT top_ups_period_check CHECK ((period ~ '^[0-9]{4}-[0-9]{2}$'::text)),
    CONSTRAINT top_ups_user_name_check CHECK (((length(user_name) >= 1) AND (length(user_name) <= 253)))
);

--
-- Name: top_ups_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.top_ups ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.top_ups_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: usage_cycle_totals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.usage_cycle_totals (
    tenant_id bigint NOT NULL,
    cycle_start date NOT NULL,
    upload_bytes bigint DEFAULT 0 NOT NULL,
    download_bytes bigint DEFAULT 0 NOT NULL,
    session_seconds bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='50');

--
-- Name: usage_cycles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.usage_cycles (
    tenant_id bigint NOT NULL,
    cycle_start date NOT NULL,
    subscriber text NOT NULL,
    upload_bytes bigint DEFAULT 0 NOT NULL,
    download_bytes bigint DEFAULT 0 NOT NULL,
    session_seconds bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='70');

--
-- Name: usage_daily; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.usage_daily (
    tenant_id bigint NOT NULL,
    day date NOT NULL,
    subscriber text NOT NULL,
    upload_bytes bigint DEFAULT 0 NOT NULL,
    download_bytes bigint DEFAULT 0 NOT NULL,
    session_seconds bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='80');

--
-- Name: usage_hourly; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.usage_hourly (
    tenant_id bigint NOT NULL,
    subscriber text NOT NULL,
    hour timestamp with time zone NOT NULL,
    upload_bytes bigint DEFAULT 0 NOT NULL,
    download_bytes bigint DEFAULT 0 NOT NULL,
    session_seconds bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='80');

--
-- Name: webhook_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_attempts (
    tenant_id bigint NOT NULL,
    delivery_id bigint NOT NULL,
    attempt integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    status_code integer,
    error text,
    duration_ms integer NOT NULL
);

--
-- Name: webhook_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_deliveries (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    endpoint_id bigint NOT NULL,
    event text NOT NULL,
    idempotency_key uuid DEFAULT gen_random_uuid() NOT NULL,
    payload json NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    claim uuid,
    delivered_at timestamp with time zone,
    last_status_code integer,
    last_error text,
    CONSTRAINT webhook_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'failed'::text])))
);

--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.webhook_deliveries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.webhook_deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhook_endpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_endpoints (
    tenant_id bigint NOT NULL,
    id bigint NOT NULL,
    url text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    secret_sealed bytea NOT NULL,
    events text[] NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_endpoints_description_check CHECK ((length(description) <= 200)),
    CONSTRAINT webhook_endpoints_events_check CHECK (((cardinality(events) >= 1) AND (events <@ ARRAY['quota.crossed'::text, 'enforcement.acked'::text, 'enforcement.failed'::text, 'nas.silent'::text, 'invoice.finalized'::text]))),
    CONSTRAINT webhook_endpoints_url_check CHECK (((length(url) >= 1) AND (length(url) <= 2048)))
);

--
-- Name: webhook_endpoints_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.webhook_endpoints ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.webhook_endpoints_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: accounting_packets_default; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounting_packets ATTACH PARTITION public.accounting_packets_default DEFAULT;

--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: console_sessions console_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.console_sessions
    ADD CONSTRAINT console_sessions_pkey PRIMARY KEY (token_hash);

--
-- Name: console_users console_users_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.console_users
    ADD CONSTRAINT console_users_pkey PRIMARY KEY (id);

--
-- Name: enforcement_requests enforcement_requests_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enforcement_requests
    ADD CONSTRAINT enforcement_requests_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: enforcement_requests enforcement_requests_tenant_id_session_id_decision_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enforcement_requests
    ADD CONSTRAINT enforcement_requests_tenant_id_session_id_decision_key_key UNIQUE (tenant_id, session_id, decision_key);

--
-- Name: installation installation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.installation
    ADD CONSTRAINT installation_pkey PRIMARY KEY (singleton);

--
-- Name: invoice_lines invoice_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_lines
    ADD CONSTRAINT invoice_lines_pkey PRIMARY KEY (tenant_id, invoice_id, "position");

--
-- Name: invoices invoices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: invoices invoices_tenant_id_subscriber_id_period_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_tenant_id_subscriber_id_period_key UNIQUE (tenant_id, subscriber_id, period);

--
-- Name: listeners listeners_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.listeners
    ADD CONSTRAINT listeners_pkey PRIMARY KEY (name);

--
-- Name: log_refusals log_refusals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.log_refusals
    ADD CONSTRAINT log_refusals_pkey PRIMARY KEY (stream, seq);

--
-- Name: log_streams log_streams_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.log_streams
    ADD CONSTRAINT log_streams_pkey PRIMARY KEY (id);

--
-- Name: merge_leadership merge_leadership_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.merge_leadership
    ADD CONSTRAINT merge_leadership_pkey PRIMARY KEY (id);

--
-- Name: nas_activity nas_activity_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_activity
    ADD CONSTRAINT nas_activity_pkey PRIMARY KEY (tenant_id, nas_id);

--
-- Name: nas_activity_positions nas_activity_positions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_activity_positions
    ADD CONSTRAINT nas_activity_positions_pkey PRIMARY KEY (stream);

--
-- Name: nas_devices nas_devices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_devices
    ADD CONSTRAINT nas_devices_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: nas_devices nas_devices_tenant_id_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_devices
    ADD CONSTRAINT nas_devices_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: nas_drops nas_drops_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_drops
    ADD CONSTRAINT nas_drops_pkey PRIMARY KEY (tenant_id, nas_id, hour, reason);

--
-- Name: nas_reboots nas_reboots_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_reboots
    ADD CONSTRAINT nas_reboots_pkey PRIMARY KEY (tenant_id, nas_id);

--
-- Name: plan_assignments plan_assignments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plan_assignments
    ADD CONSTRAINT plan_assignments_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: plan_versions plan_versions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plan_versions
    ADD CONSTRAINT plan_versions_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: plans plans_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: plans plans_tenant_id_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_tenant_id_name_key UNIQUE (tenant_id, name);

--
-- Name: quota_crossings quota_crossings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quota_crossings
    ADD CONSTRAINT quota_crossings_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: quota_crossings quota_crossings_tenant_id_user_name_plan_version_id_policy__key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quota_crossings
    ADD CONSTRAINT quota_crossings_tenant_id_user_name_plan_version_id_policy__key UNIQUE (tenant_id, user_name, plan_version_id, policy_index, period_key, epoch);

--
-- Name: quota_states quota_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quota_states
    ADD CONSTRAINT quota_states_pkey PRIMARY KEY (tenant_id, user_name, period);

--
-- Name: radacct_import_runs radacct_import_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.radacct_import_runs
    ADD CONSTRAINT radacct_import_runs_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: radacct_import_totals radacct_import_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.radacct_import_totals
    ADD CONSTRAINT radacct_import_totals_pkey PRIMARY KEY (tenant_id, run_id, subscriber);

--
-- Name: radacct_imports radacct_imports_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.radacct_imports
    ADD CONSTRAINT radacct_imports_pkey PRIMARY KEY (tenant_id, unique_id);

--
-- Name: registry_state registry_state_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.registry_state
    ADD CONSTRAINT registry_state_pkey PRIMARY KEY (id);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: sessions sessions_key_generation; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_key_generation UNIQUE (tenant_id, nas_id, acct_session_id, user_name, nas_port, generation);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: spool_progress spool_progress_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.spool_progress
    ADD CONSTRAINT spool_progress_pkey PRIMARY KEY (spool_id);

--
-- Name: subscribers subscribers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscribers
    ADD CONSTRAINT subscribers_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: subscribers subscribers_tenant_id_user_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscribers
    ADD CONSTRAINT subscribers_tenant_id_user_name_key UNIQUE (tenant_id, user_name);

--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);

--
-- Name: tenants tenants_slug_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_slug_key UNIQUE (slug);

--
-- Name: top_ups top_ups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.top_ups
    ADD CONSTRAINT top_ups_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: usage_cycle_totals usage_cycle_totals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_cycle_totals
    ADD CONSTRAINT usage_cycle_totals_pkey PRIMARY KEY (tenant_id, cycle_start);

--
-- Name: usage_cycles usage_cycles_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_cycles
    ADD CONSTRAINT usage_cycles_pkey PRIMARY KEY (tenant_id, cycle_start, subscriber);

--
-- Name: usage_daily usage_daily_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_daily
    ADD CONSTRAINT usage_daily_pkey PRIMARY KEY (tenant_id, day, subscriber);

--
-- Name: usage_hourly usage_hourly_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_hourly
    ADD CONSTRAINT usage_hourly_pkey PRIMARY KEY (tenant_id, subscriber, hour);

--
-- Name: webhook_attempts webhook_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts
    ADD CONSTRAINT webhook_attempts_pkey PRIMARY KEY (tenant_id, delivery_id, attempt);

--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: webhook_deliveries webhook_deliveries_tenant_id_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_id_idempotency_key_key UNIQUE (tenant_id, idempotency_key);

--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (tenant_id, id);

--
-- Name: accounting_packets_stream; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accounting_packets_stream ON ONLY public.accounting_packets USING btree (stream, seq);

--
-- Name: accounting_packets_default_stream_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX accounting_packets_default_stream_seq_idx ON public.accounting_packets_default USING btree (stream, seq);

--
-- Name: api_tokens_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_tokens_tenant ON public.api_tokens USING btree (tenant_id);

--
-- Name: console_sessions_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX console_sessions_user ON public.console_sessions USING btree (user_id);

--
-- Name: console_users_email; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX console_users_email ON public.console_users USING btree (lower(email));

--
-- Name: enforcement_requests_nas; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX enforcement_requests_nas ON public.enforcement_requests USING btree (tenant_id, nas_id, id);

--
-- Name: enforcement_requests_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX enforcement_requests_pending ON public.enforcement_requests USING btree (id) WHERE (status = 'pending'::text);

--
-- Name: enforcement_requests_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX enforcement_requests_user ON public.enforcement_requests USING btree (tenant_id, user_name, id);

--
-- Name: invoice_lines_corrections; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoice_lines_corrections ON public.invoice_lines USING btree (tenant_id, corrects_period) WHERE (corrects_period IS NOT NULL);

--
-- Name: invoices_period; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoices_period ON public.invoices USING btree (tenant_id, period);

--
-- Name: log_streams_active; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX log_streams_active ON public.log_streams USING btree (id) WHERE (retired_at IS NULL);

--
-- Name: nas_activity_heard; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX nas_activity_heard ON public.nas_activity USING btree (last_heard_at) WHERE (silent_reported_at IS NULL);

--
-- Name: nas_devices_listener_address; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX nas_devices_listener_address ON public.nas_devices USING gist (address inet_ops);

--
-- Name: nas_drops_hour; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX nas_drops_hour ON public.nas_drops USING btree (hour);

--
-- Name: plan_assignments_subscriber; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX plan_assignments_subscriber ON public.plan_assignments USING btree (tenant_id, subscriber_id, starts_on);

--
-- Name: plan_versions_plan; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX plan_versions_plan ON public.plan_versions USING btree (tenant_id, plan_id, effective_from);

--
-- Name: sessions_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_open ON public.sessions USING btree (tenant_id, nas_id) WHERE (stopped_at IS NULL);

--
-- Name: sessions_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user ON public.sessions USING btree (tenant_id, user_name, first_received_at);

--
-- Name: sessions_user_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_user_open ON public.sessions USING btree (tenant_id, user_name) WHERE (stopped_at IS NULL);

--
-- Name: top_ups_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX top_ups_user ON public.top_ups USING btree (tenant_id, user_name, period);

--
-- Name: usage_daily_subscriber; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX usage_daily_subscriber ON public.usage_daily USING btree (tenant_id, subscriber, day);

--
-- Name: usage_hourly_hour; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX usage_hourly_hour ON public.usage_hourly USING btree (tenant_id, hour);

--
-- Name: webhook_deliveries_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_due ON public.webhook_deliveries USING btree (next_attempt_at) WHERE (status = 'pending'::text);

--
-- Name: webhook_deliveries_endpoint; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX webhook_deliveries_endpoint ON public.webhook_deliveries USING btree (tenant_id, endpoint_id, id);

--
-- Name: accounting_packets_default_stream_seq_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.accounting_packets_stream ATTACH PARTITION public.accounting_packets_default_stream_seq_idx;

--
-- Name: invoice_lines invoice_lines_final_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoice_lines_final_delete AFTER DELETE ON public.invoice_lines REFERENCING OLD TABLE AS old_lines FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_final_invoice_lines();

--
-- Name: invoice_lines invoice_lines_final_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoice_lines_final_insert AFTER INSERT ON public.invoice_lines REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_final_invoice_lines();

--
-- Name: invoice_lines invoice_lines_final_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoice_lines_final_update AFTER UPDATE ON public.invoice_lines REFERENCING OLD TABLE AS old_lines NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION public.refuse_final_invoice_lines();

--
-- Name: invoices invoices_final; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER invoices_final BEFORE DELETE OR UPDATE ON public.invoices FOR EACH ROW EXECUTE FUNCTION public.refuse_final_invoice_change();

--
-- Name: listeners listeners_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER listeners_changed AFTER INSERT OR DELETE OR UPDATE ON public.listeners FOR EACH STATEMENT EXECUTE FUNCTION public.bump_registry_version();

--
-- Name: nas_devices nas_devices_changed; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER nas_devices_changed AFTER INSERT OR DELETE OR UPDATE ON public.nas_devices FOR EACH STATEMENT EXECUTE FUNCTION public.bump_registry_version();

--
-- Name: tenants usage_cycles_billing_day; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER usage_cycles_billing_day AFTER UPDATE OF billing_day ON public.tenants FOR EACH ROW WHEN ((old.billing_day IS DISTINCT FROM new.billing_day)) EXECUTE FUNCTION public.usage_cycles_recut();

--
-- Name: usage_daily usage_cycles_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER usage_cycles_truncate AFTER TRUNCATE ON public.usage_daily FOR EACH STATEMENT EXECUTE FUNCTION public.usage_cycles_truncate();

--
-- Name: usage_hourly usage_daily_delete; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER usage_daily_delete AFTER DELETE ON public.usage_hourly REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.usage_daily_add();

--
-- Name: usage_hourly usage_daily_insert; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER usage_daily_insert AFTER INSERT ON public.usage_hourly REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.usage_daily_add();

--
-- Name: usage_hourly usage_daily_update; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER usage_daily_update AFTER UPDATE ON public.usage_hourly REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.usage_daily_add();

--
-- Name: api_tokens api_tokens_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: audit_log audit_log_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_log
    ADD CONSTRAINT audit_log_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: console_sessions console_sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.console_sessions
    ADD CONSTRAINT console_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.console_users(id) ON DELETE CASCADE;

--
-- Name: console_users console_users_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.console_users
    ADD CONSTRAINT console_users_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: enforcement_requests enforcement_requests_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.enforcement_requests
    ADD CONSTRAINT enforcement_requests_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: invoice_lines invoice_lines_tenant_id_invoice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoice_lines
    ADD CONSTRAINT invoice_lines_tenant_id_invoice_id_fkey FOREIGN KEY (tenant_id, invoice_id) REFERENCES public.invoices(tenant_id, id) ON DELETE CASCADE;

--
-- Name: invoices invoices_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: invoices invoices_tenant_id_subscriber_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_tenant_id_subscriber_id_fkey FOREIGN KEY (tenant_id, subscriber_id) REFERENCES public.subscribers(tenant_id, id);

--
-- Name: listeners listeners_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.listeners
    ADD CONSTRAINT listeners_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: nas_activity nas_activity_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_activity
    ADD CONSTRAINT nas_activity_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: nas_devices nas_devices_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_devices
    ADD CONSTRAINT nas_devices_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: nas_reboots nas_reboots_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.nas_reboots
    ADD CONSTRAINT nas_reboots_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: plan_assignments plan_assignments_tenant_id_plan_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plan_assignments
    ADD CONSTRAINT plan_assignments_tenant_id_plan_id_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES public.plans(tenant_id, id);

--
-- Name: plan_assignments plan_assignments_tenant_id_subscriber_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plan_assignments
    ADD CONSTRAINT plan_assignments_tenant_id_subscriber_id_fkey FOREIGN KEY (tenant_id, subscriber_id) REFERENCES public.subscribers(tenant_id, id);

--
-- Name: plan_versions plan_versions_tenant_id_plan_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plan_versions
    ADD CONSTRAINT plan_versions_tenant_id_plan_id_fkey FOREIGN KEY (tenant_id, plan_id) REFERENCES public.plans(tenant_id, id);

--
-- Name: plans plans_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.plans
    ADD CONSTRAINT plans_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: quota_crossings quota_crossings_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quota_crossings
    ADD CONSTRAINT quota_crossings_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: quota_states quota_states_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quota_states
    ADD CONSTRAINT quota_states_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: radacct_import_runs radacct_import_runs_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.radacct_import_runs
    ADD CONSTRAINT radacct_import_runs_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: radacct_import_totals radacct_import_totals_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.radacct_import_totals
    ADD CONSTRAINT radacct_import_totals_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: radacct_imports radacct_imports_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.radacct_imports
    ADD CONSTRAINT radacct_imports_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: sessions sessions_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: subscribers subscribers_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.subscribers
    ADD CONSTRAINT subscribers_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: top_ups top_ups_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.top_ups
    ADD CONSTRAINT top_ups_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: usage_cycle_totals usage_cycle_totals_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_cycle_totals
    ADD CONSTRAINT usage_cycle_totals_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: usage_cycles usage_cycles_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_cycles
    ADD CONSTRAINT usage_cycles_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: usage_daily usage_daily_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_daily
    ADD CONSTRAINT usage_daily_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: usage_hourly usage_hourly_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.usage_hourly
    ADD CONSTRAINT usage_hourly_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: webhook_attempts webhook_attempts_tenant_id_delivery_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts
    ADD CONSTRAINT webhook_attempts_tenant_id_delivery_id_fkey FOREIGN KEY (tenant_id, delivery_id) REFERENCES public.webhook_deliveries(tenant_id, id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_tenant_id_endpoint_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_id_endpoint_id_fkey FOREIGN KEY (tenant_id, endpoint_id) REFERENCES public.webhook_endpoints(tenant_id, id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: webhook_endpoints webhook_endpoints_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);

--
-- Name: accounting_packets; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.accounting_packets ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_log; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;

--
-- Name: enforcement_requests; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.enforcement_requests ENABLE ROW LEVEL SECURITY;

--
-- Name: invoice_lines; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.invoice_lines ENABLE ROW LEVEL SECURITY;

--
-- Name: invoices; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;

--
-- Name: nas_activity; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.nas_activity ENABLE ROW LEVEL SECURITY;

--
-- Name: nas_devices; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.nas_devices ENABLE ROW LEVEL SECURITY;

--
-- Name: nas_drops; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.nas_drops ENABLE ROW LEVEL SECURITY;

--
-- Name: nas_reboots; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.nas_reboots ENABLE ROW LEVEL SECURITY;

--
-- Name: plan_assignments; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.plan_assignments ENABLE ROW LEVEL SECURITY;

--
-- Name: plan_versions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.plan_versions ENABLE ROW LEVEL SECURITY;

--
-- Name: plans; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.plans ENABLE ROW LEVEL SECURITY;

--
-- Name: quota_crossings; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.quota_crossings ENABLE ROW LEVEL SECURITY;

--
-- Name: quota_states; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.quota_states ENABLE ROW LEVEL SECURITY;

--
-- Name: radacct_import_runs; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.radacct_import_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: radacct_import_totals; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.radacct_import_totals ENABLE ROW LEVEL SECURITY;

--
-- Name: radacct_imports; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.radacct_imports ENABLE ROW LEVEL SECURITY;

--
-- Name: sessions; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: subscribers; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.subscribers ENABLE ROW LEVEL SECURITY;

--
-- Name: accounting_packets tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.accounting_packets USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: audit_log tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.audit_log USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: enforcement_requests tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.enforcement_requests USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: invoice_lines tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.invoice_lines USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: invoices tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.invoices USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: nas_activity tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.nas_activity USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: nas_devices tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.nas_devices USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: nas_drops tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.nas_drops USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: nas_reboots tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.nas_reboots USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: plan_assignments tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.plan_assignments USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: plan_versions tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.plan_versions USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: plans tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.plans USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: quota_crossings tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.quota_crossings USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: quota_states tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.quota_states USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: radacct_import_runs tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.radacct_import_runs USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: radacct_import_totals tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.radacct_import_totals USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: radacct_imports tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.radacct_imports USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: sessions tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.sessions USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: subscribers tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.subscribers USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: tenants tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.tenants USING ((id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: top_ups tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.top_ups USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: usage_cycle_totals tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.usage_cycle_totals USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: usage_cycles tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.usage_cycles USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: usage_daily tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.usage_daily USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: usage_hourly tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.usage_hourly USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: webhook_attempts tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.webhook_attempts USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: webhook_deliveries tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.webhook_deliveries USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: webhook_endpoints tenant_isolation; Type: POLICY; Schema: public; Owner: -
--

CREATE POLICY tenant_isolation ON public.webhook_endpoints USING ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting))) WITH CHECK ((tenant_id = ( SELECT (current_setting('tollgate.tenant_id'::text))::bigint AS current_setting)));

--
-- Name: tenants; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;

--
-- Name: top_ups; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.top_ups ENABLE ROW LEVEL SECURITY;

--
-- Name: usage_cycle_totals; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.usage_cycle_totals ENABLE ROW LEVEL SECURITY;

--
-- Name: usage_cycles; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.usage_cycles ENABLE ROW LEVEL SECURITY;

--
-- Name: usage_daily; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.usage_daily ENABLE ROW LEVEL SECURITY;

--
-- Name: usage_hourly; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.usage_hourly ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_attempts; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.webhook_attempts ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_deliveries; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.webhook_deliveries ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoints; Type: ROW SECURITY; Schema: public; Owner: -
--

ALTER TABLE public.webhook_endpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: FUNCTION usage_cycles_recut(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.usage_cycles_recut() FROM PUBLIC;

--
-- Name: FUNCTION usage_cycles_truncate(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.usage_cycles_truncate() FROM PUBLIC;

--
-- Name: FUNCTION usage_daily_add(); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.usage_daily_add() FROM PUBLIC;

--
-- Name: TABLE accounting_packets; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.accounting_packets TO tollgate_tenant;

--
-- Name: TABLE audit_log; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.audit_log TO tollgate_tenant;

--
-- Name: TABLE enforcement_requests; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.enforcement_requests TO tollgate_tenant;

--
-- Name: TABLE invoice_lines; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.invoice_lines TO tollgate_tenant;

--
-- Name: TABLE invoices; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.invoices TO tollgate_tenant;

--
-- Name: TABLE log_streams; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.log_streams TO tollgate_tenant;

--
-- Name: TABLE nas_activity; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.nas_activity TO tollgate_tenant;

--
-- Name: TABLE nas_devices; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.nas_devices TO tollgate_tenant;

--
-- Name: TABLE nas_drops; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.nas_drops TO tollgate_tenant;

--
-- Name: TABLE nas_reboots; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.nas_reboots TO tollgate_tenant;

--
-- Name: TABLE plan_assignments; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.plan_assignments TO tollgate_tenant;

--
-- Name: TABLE plan_versions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.plan_versions TO tollgate_tenant;

--
-- Name: TABLE plans; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.plans TO tollgate_tenant;

--
-- Name: TABLE quota_crossings; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.quota_crossings TO tollgate_tenant;

--
-- Name: TABLE quota_states; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.quota_states TO tollgate_tenant;

--
-- Name: TABLE radacct_import_runs; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.radacct_import_runs TO tollgate_tenant;

--
-- Name: TABLE radacct_import_totals; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.radacct_import_totals TO tollgate_tenant;

--
-- Name: TABLE radacct_imports; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.radacct_imports TO tollgate_tenant;

--
-- Name: TABLE sessions; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sessions TO tollgate_tenant;

--
-- Name: TABLE subscribers; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.subscribers TO tollgate_tenant;

--
-- Name: TABLE tenants; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.tenants TO tollgate_tenant;

--
-- Name: TABLE top_ups; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.top_ups TO tollgate_tenant;

--
-- Name: TABLE usage_cycle_totals; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.usage_cycle_totals TO tollgate_tenant;

--
-- Name: TABLE usage_cycles; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.usage_cycles TO tollgate_tenant;

--
-- Name: TABLE usage_daily; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.usage_daily TO tollgate_tenant;

--
-- Name: TABLE usage_hourly; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.usage_hourly TO tollgate_tenant;

--
-- Name: TABLE webhook_attempts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.webhook_attempts TO tollgate_tenant;

--
-- Name: TABLE webhook_deliveries; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.webhook_deliveries TO tollgate_tenant;

--
-- Name: TABLE webhook_endpoints; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.webhook_endpoints TO tollgate_tenant;

--
-- PostgreSQL database dump complete
--
