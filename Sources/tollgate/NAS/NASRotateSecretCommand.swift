import ArgumentParser
import Storage

/// `tollgate nas rotate-secret`.
struct NASRotateSecretCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rotate-secret", abstract: "Replace a NAS's shared secret.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "NAS name.") var name: String
    @OptionGroup var secret: SecretInput
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug, needsKey: true) { connection, tenant, cipher in
            let secret = try self.secret.read()
            try NASStore(connection: connection, cipher: cipher).rotateSecret(
                tenant: tenant, name: name, secret: secret,
                audit: AuditRecord(actor: "cli", action: "nas.secret_rotated", object: name))
            if secret.utf8.count < NASStore.weakSecretOctets {
                printError(
                    "warning: the shared secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured packet"
                )
            }
            print("rotated the secret of NAS '\(name)' of tenant '\(tenant.slug)'")
        }
    }
}
