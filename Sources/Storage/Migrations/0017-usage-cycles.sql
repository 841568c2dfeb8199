-- Usage per subscriber and billing cycle of the tenant (`usage_cycles`) and per tenant
-- and cycle (`usage_cycle_totals`), kept with the daily rows by whoever keeps those: the
-- merge adds the same deltas to all three in its transaction, and the statement triggers
-- on usage_hourly do it for every other write. (Triggers on usage_daily would be simpler,
-- but capturing the old and new rows of each merge's daily upsert made it several times
-- dearer.) Pages and reports over whole cycles (the console's overview, subscriber list
-- and ranking; the API's top subscribers of a cycle) read one row per subscriber instead
-- of one per day. A cycle is named by its first local day; a tenant whose billing day
-- changes has its rows cut again from the daily ones, in the same transaction, while the
-- merges wait on the lock of the daily rows.

-- The first day of the billing cycle holding local day `day` for billing day 1-28
-- (date arithmetic on a timestamp without zone: the session's time zone plays no part).
CREATE FUNCTION billing_cycle_start(day date, billing_day integer) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN date_trunc('month', (day - (billing_day - 1))::timestamp)::date + (billing_day - 1);

CREATE TABLE usage_cycles (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    cycle_start date NOT NULL,
    subscriber text NOT NULL,
    upload_bytes bigint NOT NULL DEFAULT 0,
    download_bytes bigint NOT NULL DEFAULT 0,
    session_seconds bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, cycle_start, subscriber)
) WITH (fillfactor = 70);
ALTER TABLE usage_cycles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_cycles USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
    WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
GRANT SELECT ON usage_cycles TO tollgate_tenant;

-- The tenant's usage per cycle over all subscribers: the overview's figures, read as
-- one row. The merge changes it last, just before it commits, so that its workers hold
-- the row in turn only briefly.
CREATE TABLE usage_cycle_totals (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    cycle_start date NOT NULL,
    upload_bytes bigint NOT NULL DEFAULT 0,
    download_bytes bigint NOT NULL DEFAULT 0,
    session_seconds bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, cycle_start)
) WITH (fillfactor = 50);
ALTER TABLE usage_cycle_totals ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_cycle_totals USING (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint))
    WITH CHECK (tenant_id = (SELECT current_setting('tollgate.tenant_id')::bigint));
GRANT SELECT ON usage_cycle_totals TO tollgate_tenant;

-- Every write of usage_hourly but the merge's keeps the daily rows, the cycle rows and
-- the totals here, from one aggregation of the changed buckets per statement; rows
-- change in key order so that concurrent writers lock them alike.
CREATE OR REPLACE FUNCTION usage_daily_add() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
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
END $fn$;

-- A new billing day cuts the tenant's cycles anew. Every writer of cycle rows writes
-- daily rows first in its transaction: the lock on usage_daily waits for those writing
-- now and holds off new ones (every tenant's, for the few seconds a rebuild takes) until
-- this transaction ends, so none adds a day under the old cut after the rebuild, and
-- no two locks are taken in another order than a writer takes them.
CREATE FUNCTION usage_cycles_recut() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
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
END $fn$;
CREATE TRIGGER usage_cycles_billing_day AFTER UPDATE OF billing_day ON tenants
    FOR EACH ROW WHEN (OLD.billing_day IS DISTINCT FROM NEW.billing_day) EXECUTE FUNCTION usage_cycles_recut();
REVOKE EXECUTE ON FUNCTION usage_cycles_recut() FROM PUBLIC;

-- Emptying the daily rows empties what is summed from them.
CREATE FUNCTION usage_cycles_truncate() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
BEGIN
    TRUNCATE usage_cycles, usage_cycle_totals;
    RETURN NULL;
END $fn$;
CREATE TRIGGER usage_cycles_truncate AFTER TRUNCATE ON usage_daily FOR EACH STATEMENT EXECUTE FUNCTION usage_cycles_truncate();
REVOKE EXECUTE ON FUNCTION usage_cycles_truncate() FROM PUBLIC;

INSERT INTO usage_cycles (tenant_id, cycle_start, subscriber, upload_bytes, download_bytes, session_seconds)
SELECT u.tenant_id, billing_cycle_start(u.day, t.billing_day), u.subscriber, sum(u.upload_bytes), sum(u.download_bytes), sum(u.session_seconds)
FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
INSERT INTO usage_cycle_totals (tenant_id, cycle_start, upload_bytes, download_bytes, session_seconds)
SELECT tenant_id, cycle_start, sum(upload_bytes), sum(download_bytes), sum(session_seconds) FROM usage_cycles GROUP BY 1, 2 ORDER BY 1, 2;
