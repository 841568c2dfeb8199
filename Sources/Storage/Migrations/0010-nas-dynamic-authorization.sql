-- Where and how each NAS takes RFC 5176 CoA and Disconnect requests. The CoA secret is
-- sealed like `secret_sealed`; NULL means the NAS uses its accounting secret for dynamic
-- authorization too, as most do. `vendor` names a profile file (Config/vendors/NAME.toml),
-- so it is held to a file-name-safe form here as well.

ALTER TABLE nas_devices
    ADD COLUMN coa_port integer NOT NULL DEFAULT 3799 CHECK (coa_port BETWEEN 1 AND 65535),
    ADD COLUMN coa_secret_sealed bytea,
    ADD COLUMN coa_secret_octets integer CHECK (coa_secret_octets BETWEEN 1 AND 128),
    ADD COLUMN vendor text NOT NULL DEFAULT 'generic' CHECK (vendor ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    ADD CONSTRAINT nas_devices_coa_secret CHECK ((coa_secret_sealed IS NULL) = (coa_secret_octets IS NULL));
