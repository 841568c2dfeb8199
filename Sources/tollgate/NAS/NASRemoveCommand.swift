import ArgumentParser
import Storage

/// `tollgate nas remove`.
struct NASRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a NAS; its packets are dropped from then on.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "NAS name.") var name: String
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug) { connection, tenant, cipher in
            try NASStore(connection: connection, cipher: cipher).remove(
                tenant: tenant, name: name,
                audit: AuditRecord(actor: "cli", action: "nas.removed", object: name))
            print("removed NAS '\(name)' of tenant '\(tenant.slug)'")
        }
    }
}
