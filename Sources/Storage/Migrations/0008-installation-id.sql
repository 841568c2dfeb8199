-- The installation id: created once, with the schema, and never changed, so a spool can
-- tell this database from any other (`DatabaseIdentity`). A pg_dump copy carries it; the
-- cluster's system identifier tells such copies apart. No tenant data: not visible to
-- tollgate_tenant.

CREATE TABLE installation (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;
