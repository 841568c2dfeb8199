-- Drops by NAS, reason and hour, written by the collectors, read by the NAS's tenant (the
-- console's NAS health). Like the NAS's activity, its rows outlive a removed NAS (whose
-- pages are gone) until they expire.

CREATE TABLE nas_drops (
    tenant_id bigint NOT NULL,
    nas_id bigint NOT NULL,
    hour timestamptz NOT NULL,
    reason text NOT NULL CHECK (reason ~ '^[a-z_]{1,40}$'),
    datagrams bigint NOT NULL CHECK (datagrams >= 0),
    PRIMARY KEY (tenant_id, nas_id, hour, reason)
);
CREATE INDEX nas_drops_hour ON nas_drops (hour);
ALTER TABLE nas_drops ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON nas_drops USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
    WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
GRANT SELECT ON nas_drops TO tollgate_tenant;
