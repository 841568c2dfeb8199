-- FreeRADIUS radacct history brought in by `tollgate import radacct`.
--
-- Imported sessions are ordinary sessions marked with `imported_at`. A key the collector
-- has had packets for (a live session of the same NAS, Acct-Session-Id, User-Name and
-- port) gets its older imported sessions as generations 0, -1, ... below the live ones,
-- never as the latest, so that the collector's generations of the key stay its own.
-- `radacct_imports` holds each imported row's key (AcctUniqueId): importing it again adds
-- nothing. A run records how far it read once each batch's parts committed; an
-- interrupted import resumes after the last recorded batch and recognises the rows its
-- parts wrote before by their run and position. Its totals per subscriber are the
-- integrity report.

ALTER TABLE sessions ADD COLUMN imported_at timestamptz;
ALTER TABLE sessions DROP CONSTRAINT sessions_generation_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_generation_check CHECK (generation >= 1 OR imported_at IS NOT NULL);

CREATE TABLE radacct_import_runs (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    -- What was read (a file's path, a database without its password, and the table).
    source text NOT NULL,
    -- The source and the options that select its rows: a run resumes only the same.
    fingerprint text NOT NULL,
    -- Rows of a file read, or the highest radacctid read from a database.
    position bigint NOT NULL DEFAULT 0,
    rows_read bigint NOT NULL DEFAULT 0,
    -- Rows imported, skipped by reason, and rows of each quirk kind.
    counts jsonb NOT NULL DEFAULT '{}',
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (tenant_id, id)
);

-- The run and source position that imported each row: a run that resumes after an
-- interruption knows the rows it wrote itself before (their counts were not recorded yet).
CREATE TABLE radacct_imports (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    unique_id text NOT NULL,
    run_id bigint NOT NULL,
    position bigint NOT NULL,
    session_id bigint NOT NULL,
    PRIMARY KEY (tenant_id, unique_id)
);

-- Per run and subscriber: the source's octets next to what the hourly usage got.
CREATE TABLE radacct_import_totals (
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    run_id bigint NOT NULL,
    subscriber text NOT NULL,
    sessions bigint NOT NULL,
    source_upload bigint NOT NULL,
    source_download bigint NOT NULL,
    imported_upload bigint NOT NULL,
    imported_download bigint NOT NULL,
    imported_seconds bigint NOT NULL,
    PRIMARY KEY (tenant_id, run_id, subscriber)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['radacct_import_runs', 'radacct_imports', 'radacct_import_totals'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))
                        WITH CHECK (tenant_id = (SELECT current_setting(''tollgate.tenant_id'')::bigint))', t);
        EXECUTE format('GRANT SELECT ON %I TO tollgate_tenant', t);
    END LOOP;
END $$;
