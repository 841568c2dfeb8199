import ArgumentParser
import Storage

/// `tollgate nas update`: changes what is given, keeps the rest.
struct NASUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a NAS's address, NAS-Identifier, listener, Message-Authenticator requirement or dynamic-authorization settings.")
    @OptionGroup var tenant: TenantOption
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
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        // Sealing a new CoA secret needs the key; other changes do not.
        try database.withTenant(tenant.slug, needsKey: coaSecretFile != nil) { connection, tenant, cipher in
            guard !(noIdentifier && identifier != nil) else { throw StoreError(.invalid, "give --identifier or --no-identifier, not both") }
            guard !(clearCoaSecret && coaSecretFile != nil) else {
                throw StoreError(.invalid, "give --coa-secret-file or --clear-coa-secret, not both")
            }
            let newIdentifier: String?? = noIdentifier ? .some(nil) : identifier.map { .some($0) }
            let coaSecret: String?? = clearCoaSecret ? .some(nil) : try coaSecretFile.map { .some(try SecretInput.read(file: $0)) }
            let nas = try NASStore(connection: connection, cipher: cipher).update(
                tenant: tenant, name: name, address: address, identifier: newIdentifier, listener: listener,
                requireMessageAuthenticator: requireMessageAuthenticator, coaPort: coaPort, coaSecret: coaSecret, vendor: vendor,
                audit: AuditRecord(
                    actor: "cli", action: "nas.updated", object: name,
                    detail: NASAuditDetail.updated(
                        address: address, identifier: newIdentifier, listener: listener, requireMessageAuthenticator: requireMessageAuthenticator,
                        coaPort: coaPort, coaSecret: coaSecret, vendor: vendor)))
            if coaSecretFile != nil && nas.weakCoASecret {
                printError(
                    "warning: the CoA secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured request"
                )
            }
            print(nasListing([nas]).render(output.format))
        }
    }
}
