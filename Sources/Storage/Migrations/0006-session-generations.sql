-- Session generations: a NAS that reuses an Acct-Session-Id begins generation 2, 3, ...
-- of the same key instead of merging into the stored session. `is_latest` marks the
-- newest generation of a key: a collector that opens a newer one clears it in the same
-- transaction, which tells a concurrent collector that waited for the lock to read again.
-- `has_start`: the session's Start was seen. NAS reboot times are kept per NAS.

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
