-- The packet log: `accounting_packets` becomes the durable record that answers wait for.
-- Each appender (one connection) writes one *stream* with consecutive `seq` numbers,
-- committed in order, so the merger's position per stream (`merged_seq`, moved in the
-- transaction that applies the rows) never passes a row committed later. Rows written
-- before this version were applied when written: stream 0.

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
