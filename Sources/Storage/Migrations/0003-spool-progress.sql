-- How far each collector's on-disk spool has been replayed: written in the same
-- transaction as the replayed packets, so a replay interrupted at any point resumes
-- without repeating or skipping a packet. No tenant data: not visible to tollgate_tenant.

CREATE TABLE spool_progress (
    spool_id uuid PRIMARY KEY,
    record bigint NOT NULL,
    items integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
