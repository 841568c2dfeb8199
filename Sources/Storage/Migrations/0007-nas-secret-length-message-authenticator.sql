-- What a NAS listing needs without opening secrets, and the per-NAS BlastRADIUS
-- (CVE-2024-3596) setting. `secret_octets` is written with every secret; for secrets
-- written before this version it is NULL until the collector, which opens every secret
-- when it loads the registry, records it.

ALTER TABLE nas_devices ADD COLUMN secret_octets integer CHECK (secret_octets BETWEEN 1 AND 128);
ALTER TABLE nas_devices ADD COLUMN require_message_authenticator boolean NOT NULL DEFAULT false;
