-- Plans and their versions, subscribers and their plan assignments, invoices and their
-- lines, which cannot change once the invoice is final. From here on, policies read the
-- tenant setting once per statement; the tables of migration 1 are brought to that form.

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
