-- The console's NAS pages, which read in the tenant's scope: the newest CoA and
-- Disconnect requests to one NAS (without the index that walks every request of the
-- tenant), and when each NAS last rebooted (kept by the collector; the tenant role could
-- not read it, though its row-level security policy was there from the start).

CREATE INDEX enforcement_requests_nas ON enforcement_requests (tenant_id, nas_id, id);
GRANT SELECT ON nas_reboots TO tollgate_tenant;
