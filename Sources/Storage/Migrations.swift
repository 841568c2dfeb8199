/// The schema, as numbered migrations applied in order by `Migrator`.
///
/// Each version's SQL is a file of its own in Migrations/ (`NNNN-what-it-does.sql`); read in
/// order, the files are the current schema. Package.swift embeds them in the module
/// (`.embedInCode`): the binary carries them and finds no resource files at run time,
/// wherever it is started from. An applied migration is never edited: the schema changes by a
/// new file and a new entry here, and Tests/StorageTests/Snapshots/schema.sql is regenerated
/// (scripts/schema-snapshot). Version 15 was never used.
///
/// Every tenant-owned table leads its primary key with tenant_id and carries a row-level
/// security policy keyed on the per-transaction setting `tollgate.tenant_id`; the role
/// `tollgate_tenant` that tenant-scoped work switches to is subject to those policies.
enum Migrations {
    /// Every version in order. The names are what the ledger has recorded since each version
    /// was first applied. SwiftPM names an embedded file after it with the leading digit
    /// replaced by an underscore: 0001-initial.sql is `_001_initial_sql`.
    static let all: [Migration] = [
        Migration(1, "tenants, NAS devices, sessions, usage, raw packets", PackageResources._001_initial_sql),
        Migration(2, "plans, subscribers, invoices", PackageResources._002_plans_subscribers_invoices_sql),
        Migration(3, "spool replay progress", PackageResources._003_spool_progress_sql),
        Migration(4, "API tokens", PackageResources._004_api_tokens_sql),
        Migration(5, "daily usage kept with the hourly buckets", PackageResources._005_usage_daily_sql),
        Migration(6, "session generations", PackageResources._006_session_generations_sql),
        Migration(
            7, "NAS secret length and the Message-Authenticator requirement",
            PackageResources._007_nas_secret_length_message_authenticator_sql),
        Migration(8, "installation id, the identity spools record", PackageResources._008_installation_id_sql),
        Migration(9, "the packet log: append streams and their merge positions", PackageResources._009_packet_log_sql),
        Migration(
            10, "NAS dynamic-authorization settings: CoA port, CoA secret, vendor profile",
            PackageResources._010_nas_dynamic_authorization_sql),
        Migration(
            11, "quota crossings, restrictions, top-ups and enforcement requests",
            PackageResources._011_quotas_and_enforcement_sql),
        Migration(12, "webhooks: endpoints, the delivery outbox, attempts, NAS activity", PackageResources._012_webhooks_sql),
        Migration(
            13, "console users, their sessions, the audit log of staff actions",
            PackageResources._013_console_users_and_audit_log_sql),
        Migration(
            14, "console usage pages: a subscriber's days by subscriber, merge positions readable by tenants",
            PackageResources._014_console_usage_pages_sql),
        Migration(
            16, "the console's NAS health: enforcement requests by NAS, NAS reboots readable per tenant",
            PackageResources._016_console_nas_health_sql),
        Migration(17, "usage per subscriber and billing cycle kept with the daily rows", PackageResources._017_usage_cycles_sql),
        Migration(18, "datagrams dropped per NAS, reason and hour", PackageResources._018_nas_drops_sql),
        Migration(19, "radacct import: imported sessions, row keys, runs and their totals", PackageResources._019_radacct_import_sql),
    ]
}
