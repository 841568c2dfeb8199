import ArgumentParser
import Storage

/// `tollgate nas add`.
struct NASAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a NAS. Refused when its packets could not be told apart from another NAS's.")
    @OptionGroup var tenant: TenantOption
    @Option(help: "Name of the NAS within the tenant.") var name: String
    @Option(help: "Source address or prefix (10.0.0.1, 10.0.0.0/24, 2001:db8::/64).") var address: String
    @OptionGroup var secret: SecretInput
    @Option(help: "Listener the NAS sends to.") var listener = "default"
    @Option(help: "NAS-Identifier its packets carry, to tell NAS sharing an address apart.") var identifier: String?
    @Flag(inversion: .prefixedNo, help: "Drop its Accounting-Requests that carry no valid Message-Authenticator (BlastRADIUS, CVE-2024-3596).")
    var requireMessageAuthenticator = false
    @Option(help: "UDP port of its dynamic-authorization server (RFC 5176 CoA and Disconnect requests).")
    var coaPort = NASStore.defaultCoAPort
    @Option(
        help:
            "Read the secret of CoA and Disconnect requests from this file (one trailing newline is ignored); without it they use the shared secret.")
    var coaSecretFile: String?
    @Option(help: "Vendor profile its CoA and Disconnect requests are built from (Config/vendors/NAME.toml).")
    var vendor = NASStore.defaultVendor
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        try database.withTenant(tenant.slug, needsKey: true) { connection, tenant, cipher in
            let secret = try self.secret.read()
            let coaSecret = try coaSecretFile.map(SecretInput.read(file:))
            let nas = try NASStore(connection: connection, cipher: cipher, limit: try database.configuration().nasLimitPerTenant).add(
                tenant: tenant, name: name, address: address, secret: secret, listener: listener, identifier: identifier,
                requireMessageAuthenticator: requireMessageAuthenticator, coaPort: coaPort, coaSecret: coaSecret, vendor: vendor,
                audit: AuditRecord(
                    actor: "cli", action: "nas.added", object: name, detail: NASAuditDetail.added(address: address, listener: listener)))
            if nas.weakSecret {
                printError(
                    "warning: the shared secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured packet"
                )
            }
            if nas.weakCoASecret {
                printError(
                    "warning: the CoA secret is shorter than \(NASStore.weakSecretOctets) octets: it can be guessed offline from one captured request"
                )
            }
            print(nasListing([nas]).render(output.format))
        }
    }
}
