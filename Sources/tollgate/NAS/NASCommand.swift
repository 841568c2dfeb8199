import ArgumentParser
import Foundation
import Presentation
import Server
import Storage

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database schema migrations.")
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try reportingErrors {
            let (connection, _) = try database.open()
            let applied = try Migrator.migrate(connection)
            print(applied.isEmpty ? "schema is up to date (version \(Migrator.latestVersion))"
                                  : "applied migrations \(applied.map(String.init).joined(separator: ", ")); schema version \(Migrator.latestVersion)")
        }
    }
}

struct TenantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tenant", abstract: "Manage tenants (ISPs).",
                                                    subcommands: [Create.self, List.self, Update.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant.")
        @Argument(help: "Short name: a-z, 0-9, '-' and '_'.") var slug: String
        @Option(help: "Display name.") var name: String
        @Option(help: "ISO 4217 currency.") var currency = "EUR"
        @Option(help: "IANA time zone billing periods are cut in.") var timezone = "UTC"
        @Option(help: "Day of the month (1-28) billing cycles start.") var billingDay = 1
        @Option(help: "How invoice lines round to the currency's minor unit: half-even, half-up, half-down, ceiling, floor.") var rounding = "half-even"
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                let tenant = try TenantStore(connection: connection).create(slug: slug, name: name, currency: currency,
                                                                          timeZone: timezone, billingDay: billingDay, roundingMode: rounding)
                print(tenantListing([tenant]).render(format))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                print(tenantListing(try TenantStore(connection: connection).list()).render(format))
            }
        }
    }
}

extension TenantCommand {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a tenant's name, currency (only before it has plans), time zone, billing day or rounding.")
        @Argument(help: "Tenant slug.") var slug: String
        @Option(help: "Display name.") var name: String?
        @Option(help: "ISO 4217 currency.") var currency: String?
        @Option(help: "IANA time zone.") var timezone: String?
        @Option(help: "Day of the month (1-28) billing cycles start.") var billingDay: Int?
        @Option(help: "half-even, half-up, half-down, ceiling or floor.") var rounding: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                let tenant = try TenantStore(connection: connection).update(slug: slug, name: name, currency: currency, timeZone: timezone,
                                                                          billingDay: billingDay, roundingMode: rounding)
                print(tenantListing([tenant]).render(format))
            }
        }
    }
}

/// API tokens: created here, shown once, stored as a hash.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Create, list and revoke API tokens.",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token and print it once (only its hash is stored).",
            discussion: "operator: NAS devices and sessions; billing: usage, plans, subscribers, invoices, sessions; readonly: sessions and usage; --admin: tenants only.")
        @Option(help: "Tenant slug (not with --admin).") var tenant: String?
        @Option(help: "operator, billing or readonly.") var role: String?
        @Flag(help: "A platform admin token: manages tenants, sees no tenant's data.") var admin = false
        @Option(help: "What the token is for.") var name = "api"
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                let store = TokenStore(connection: connection)
                let created: (token: APIToken, secret: String)
                if admin {
                    guard tenant == nil, role == nil else { throw StoreError(.invalid, "--admin takes neither --tenant nor --role") }
                    created = try store.create(tenant: nil, role: .admin, name: name)
                } else {
                    guard let slug = tenant, let roleName = role, let role = TokenRole(rawValue: roleName), role != .admin else {
                        throw StoreError(.invalid, "give --tenant and --role operator|billing|readonly, or --admin")
                    }
                    created = try store.create(tenant: try TenantStore(connection: connection).require(slug: slug), role: role, name: name)
                }
                printError("token \(created.token.id) (\(created.token.role.rawValue)\(created.token.tenantSlug.map { ", tenant \($0)" } ?? "")): shown once, keep it safe")
                print(created.secret)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API tokens (never the tokens themselves).")
        @Option(help: "Only this tenant's tokens.") var tenant: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                let scope = try tenant.map { try TenantStore(connection: connection).require(slug: $0) }
                let tokens = try TokenStore(connection: connection).list(tenant: scope)
                print(Listing(columns: ["id", "tenant", "role", "name", "created_at", "last_used_at", "revoked_at"], rows: tokens.map {
                    [.text($0.id), .text($0.tenantSlug), .text($0.role.rawValue), .text($0.name), .text($0.createdAt), .text($0.lastUsedAt),
                     .text($0.revokedAt)]
                }).render(format))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token: it stops working at once.")
        @Argument(help: "Token id (the 16 hex digits after tg_).") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try reportingErrors {
                let (connection, _) = try database.open()
                try TokenStore(connection: connection).revoke(id: id)
                print("revoked \(id)")
            }
        }
    }
}

func tenantListing(_ tenants: [Tenant]) -> Listing {
    Listing(columns: ["slug", "name", "currency", "time_zone", "billing_day", "rounding"],
            rows: tenants.map { [.text($0.slug), .text($0.name), .text($0.currency), .text($0.timeZone), .number(Int64($0.billingDay)), .text($0.roundingMode)] })
}

struct NASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nas", abstract: "Register and manage a tenant's NAS devices.",
                                                    subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, RotateSecret.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a NAS. Refused when its packets could not be told apart from another NAS's.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Name of the NAS within the tenant.") var name: String
        @Option(help: "Source address or prefix (10.0.0.1, 10.0.0.0/24, 2001:db8::/64).") var address: String
        @OptionGroup var secret: SecretInput
        @Option(help: "Listener the NAS sends to.") var listener = "default"
        @Option(help: "NAS-Identifier its packets carry, to tell NAS sharing an address apart.") var identifier: String?
        @Flag(inversion: .prefixedNo, help: "Drop its Accounting-Requests that carry no valid Message-Authenticator (BlastRADIUS, CVE-2024-3596).")
        var requireMessageAuthenticator = false
        @Option(help: "UDP port of its dynamic-authorization server (RFC 5176 CoA and Disconnect requests).")
        var coaPort = NASStore.defaultCoAPort
        @Option(help: "Read the secret of CoA and Disconnect requests from this file (one trailing newline is ignored); without it they use the shared secret.")
        var coaSecretFile: String?
        @Option(help: "Vendor profile its CoA and Disconnect requests are built from (Config/vendors/NAME.toml).")
        var vendor = NASStore.defaultVendor
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant, needsKey: true) { connection, tenant, cipher in
                let secret = try self.secret.read()
                let coaSecret = try coaSecretFile.map(SecretInput.read(file:))
                let nas = try NASStore(connection: connection, cipher: cipher, limit: try database.configuration().nasLimitPerTenant).add(
                    tenant: tenant, name: name, address: address, secret: secret, listener: listener, identifier: identifier,
                    requireMessageAuthenticator: requireMessageAuthenticator, coaPort: coaPort, coaSecret: coaSecret, vendor: vendor,
                    audit: AuditRecord(actor: "cli", action: "nas.added", object: name, detail: NASAuditDetail.added(address: address, listener: listener)))
                if nas.weakSecret { printError("warning: the shared secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured packet") }
                if nas.weakCoASecret { printError("warning: the CoA secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured request") }
                print(nasListing([nas]).render(format))
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a NAS's address, NAS-Identifier, listener, Message-Authenticator requirement or dynamic-authorization settings.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "NAS name.") var name: String
        @Option(help: "New source address or prefix.") var address: String?
        @Option(help: "New NAS-Identifier.") var identifier: String?
        @Flag(help: "Remove the NAS-Identifier.") var noIdentifier = false
        @Option(help: "New listener.") var listener: String?
        @Flag(inversion: .prefixedNo, help: "Drop (or no longer drop) its Accounting-Requests without a valid Message-Authenticator.")
        var requireMessageAuthenticator: Bool?
        @Option(help: "New UDP port of its dynamic-authorization server.") var coaPort: Int?
        @Option(help: "Read a new secret for CoA and Disconnect requests from this file (one trailing newline is ignored).")
        var coaSecretFile: String?
        @Flag(help: "Remove the CoA secret: CoA and Disconnect requests use the shared secret again.") var clearCoaSecret = false
        @Option(help: "New vendor profile (Config/vendors/NAME.toml).") var vendor: String?
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            // Sealing a new CoA secret needs the key; other changes do not.
            try database.withTenant(self.tenant, needsKey: coaSecretFile != nil) { connection, tenant, cipher in
                guard !(noIdentifier && identifier != nil) else { throw StoreError(.invalid, "give --identifier or --no-identifier, not both") }
                guard !(clearCoaSecret && coaSecretFile != nil) else { throw StoreError(.invalid, "give --coa-secret-file or --clear-coa-secret, not both") }
                let newIdentifier: String?? = noIdentifier ? .some(nil) : identifier.map { .some($0) }
                let coaSecret: String?? = clearCoaSecret ? .some(nil) : try coaSecretFile.map { .some(try SecretInput.read(file: $0)) }
                let nas = try NASStore(connection: connection, cipher: cipher).update(
                    tenant: tenant, name: name, address: address, identifier: newIdentifier, listener: listener,
                    requireMessageAuthenticator: requireMessageAuthenticator, coaPort: coaPort, coaSecret: coaSecret, vendor: vendor,
                    audit: AuditRecord(actor: "cli", action: "nas.updated", object: name, detail: NASAuditDetail.updated(
                        address: address, identifier: newIdentifier, listener: listener, requireMessageAuthenticator: requireMessageAuthenticator,
                        coaPort: coaPort, coaSecret: coaSecret, vendor: vendor)))
                if coaSecretFile != nil && nas.weakCoASecret {
                    printError("warning: the CoA secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured request")
                }
                print(nasListing([nas]).render(format))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's NAS devices (secrets are never shown).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                print(nasListing(try NASStore(connection: connection, cipher: cipher).list(tenant: tenant)).render(format))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one NAS of a tenant (secrets are never shown).")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "NAS name.") var name: String
        @Option(help: "Output format.") var format: OutputFormat = .table
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                print(nasListing([try NASStore(connection: connection, cipher: cipher).find(tenant: tenant, name: name)]).render(format))
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a NAS; its packets are dropped from then on.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "NAS name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant) { connection, tenant, cipher in
                try NASStore(connection: connection, cipher: cipher).remove(tenant: tenant, name: name,
                                                                            audit: AuditRecord(actor: "cli", action: "nas.removed", object: name))
                print("removed NAS '\(name)' of tenant '\(tenant.slug)'")
            }
        }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-secret", abstract: "Replace a NAS's shared secret.")
        @Option(help: "Tenant slug.") var tenant: String
        @Option(help: "NAS name.") var name: String
        @OptionGroup var secret: SecretInput
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.withTenant(self.tenant, needsKey: true) { connection, tenant, cipher in
                let secret = try self.secret.read()
                try NASStore(connection: connection, cipher: cipher).rotateSecret(tenant: tenant, name: name, secret: secret,
                                                                                  audit: AuditRecord(actor: "cli", action: "nas.secret_rotated", object: name))
                if secret.utf8.count < NASStore.weakSecretOctets { printError("warning: the shared secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured packet") }
                print("rotated the secret of NAS '\(name)' of tenant '\(tenant.slug)'")
            }
        }
    }
}

func nasListing(_ devices: [NASDevice]) -> Listing {
    Listing(columns: ["name", "listener", "address", "identifier", "weak_secret", "require_message_authenticator", "coa_port", "vendor",
                      "has_coa_secret", "weak_coa_secret"],
            rows: devices.map { [.text($0.name), .text($0.listener), .text($0.address), .text($0.identifier),
                                 .flag($0.weakSecret), .flag($0.requireMessageAuthenticator), .number(Int64($0.coaPort)), .text($0.vendor),
                                 .flag($0.hasCoASecret), .flag($0.weakCoASecret)] })
}

struct SessionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List a tenant's accounting sessions, newest first.")
    @Option(help: "Tenant slug.") var tenant: String
    @Flag(help: "Only sessions still open.") var active = false
    @Option(help: "Only this User-Name.") var user: String?
    @Option(help: "At most this many sessions.") var limit = 1000
    @Option(help: "Output format.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(self.tenant) { connection, tenant, _ in
            let rows = try ReportStore(connection: connection).sessions(tenant: tenant, activeOnly: active, user: user, limit: limit)
            let listing = Listing(
                columns: ["user", "session_id", "generation", "nas", "nas_port", "started_at", "last_update_at", "stopped_at", "close_reason",
                          "upload_bytes", "download_bytes", "session_seconds", "framed_ip_address"],
                rows: rows.map { r in
                    [.text(r.user), .text(r.sessionID), .number(Int64(r.generation)), .text(r.nas), .text(r.nasPort), .text(r.startedAt), .text(r.lastUpdateAt),
                     .text(r.stoppedAt), .text(r.closeReason), .number(r.uploadBytes), .number(r.downloadBytes),
                     .number(r.sessionSeconds), .text(r.framedIPAddress)]
                })
            print(listing.render(format))
        }
    }
}

struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Usage per subscriber: upload (sent by the subscriber), download (received), session time.",
        discussion: "--from is inclusive, --to exclusive; both are dates or times in the tenant's time zone.")
    @Option(help: "Tenant slug.") var tenant: String
    @Option(help: "Only this User-Name.") var user: String?
    @Option(help: "From (YYYY-MM-DD or YYYY-MM-DDTHH:MM), inclusive.") var from: String?
    @Option(help: "To (YYYY-MM-DD or YYYY-MM-DDTHH:MM), exclusive.") var to: String?
    @Option(help: "Group by hour, day or month (in the tenant's time zone).") var by: GroupingArgument?
    @Option(help: "Output format.") var format: OutputFormat = .table
    @OptionGroup var database: DatabaseOptions

    enum GroupingArgument: String, ExpressibleByArgument, CaseIterable { case hour, day, month }

    func run() throws {
        try database.withTenant(self.tenant) { connection, tenant, _ in
            let rows = try ReportStore(connection: connection).usage(tenant: tenant, user: user, from: from, to: to,
                                                                     by: by.flatMap { UsageGrouping(rawValue: $0.rawValue) })
            print(render(rows.map { UsagePresentation($0) }, format))
        }
    }
}
