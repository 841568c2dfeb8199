-- Quotas that act. A crossing is recorded (once per plan version, policy, period and
-- allowance epoch) before anything is sent; every CoA or Disconnect request is recorded
-- before it is sent and gets its outcome; a lasting restriction (throttle, block) is kept
-- per subscriber until a top-up or the next period lifts it, so sessions that start
-- meanwhile get it too.

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
