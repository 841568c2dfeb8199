-- The console's usage pages: a subscriber's days are read by subscriber (the primary key
-- leads with the day, which suits tenant-wide ranges only), and a tenant may see how far
-- the merge has come on each stream of the packet log (positions only, no tenant data;
-- the packets themselves stay behind row-level security).

CREATE INDEX usage_daily_subscriber ON usage_daily (tenant_id, subscriber, day);
GRANT SELECT ON log_streams TO tollgate_tenant;
