/// NAS devices of tenants: registration, secret rotation, removal, and the registry the
/// collector loads.
public struct NASStore {
    let connection: PostgresConnection
    let cipher: SecretCipher
    /// Most NAS one tenant may register.
    let limit: Int

    /// Secrets shorter than this many octets are flagged as weak (`NASDevice.weakSecret`).
    public static let weakSecretOctets = 12
    /// The default of `limit`.
    public static let defaultLimit = 10_000
    /// The dynamic-authorization port RFC 5176 assigns, where a NAS's CoA server listens
    /// unless configured otherwise.
    public static let defaultCoAPort = 3799
    /// The vendor profile of a NAS registered without one: RFC 5176 attributes only.
    public static let defaultVendor = "generic"

    public init(connection: PostgresConnection, cipher: SecretCipher, limit: Int = NASStore.defaultLimit) {
        self.connection = connection
        self.cipher = cipher
        self.limit = limit
    }

    /// The columns `devices(_:opening:)` reads; `legacy_secret_sealed` opens secrets whose
    /// length was never recorded.
    static let columns = """
        id, tenant_id, name, listener, address::text AS address, identifier, secret_octets, require_message_authenticator,
        CASE WHEN secret_octets IS NULL THEN encode(secret_sealed, 'hex') END AS legacy_secret_sealed, coa_port, vendor,
        coa_secret_octets
        """

    /// Registers a NAS. Refused when a packet could not tell it from another NAS (same
    /// listener, overlapping address, and no distinct NAS-Identifiers), when it overlaps
    /// another tenant's NAS on a shared listener, or past the tenant's limit. Without
    /// `coaSecret`, CoA and Disconnect requests to it use the accounting secret. `audit` is
    /// recorded in the registration's transaction.
    public func add(
        tenant: Tenant, name: String, address: String, secret: String, listener: String = "default",
        identifier: String? = nil, requireMessageAuthenticator: Bool = false, coaPort: Int = NASStore.defaultCoAPort,
        coaSecret: String? = nil, vendor: String = NASStore.defaultVendor, audit: AuditRecord? = nil
    ) throws -> NASDevice {
        try Self.validate(name: name, listener: listener, identifier: identifier)
        try Self.validate(secret: secret)
        try Self.validate(coaPort: coaPort)
        try Self.validate(vendor: vendor)
        if let coaSecret { try Self.validate(secret: coaSecret, named: "the CoA secret") }
        return try connection.transaction { connection in
            let cidr = try Self.normalize(address: address, connection: connection)
            try lockRegistry(connection)
            try checkLimit(tenant: tenant, connection: connection)
            try checkListener(listener, tenant: tenant, connection: connection)
            try checkAmbiguity(listener: listener, address: cidr, identifier: identifier, tenant: tenant, excluding: nil, connection: connection)
            let sealed = try cipher.seal(Array(secret.utf8), tenantID: tenant.id)
            let coaSealed = try coaSecret.map { try cipher.seal(Array($0.utf8), tenantID: tenant.id) }
            do {
                let result = try connection.query(
                    """
                    INSERT INTO nas_devices (tenant_id, name, listener, address, identifier, secret_sealed, secret_octets,
                                             require_message_authenticator, coa_port, vendor, coa_secret_sealed, coa_secret_octets)
                    VALUES ($1, $2, $3, $4::cidr, $5, decode($6, 'hex'), $7, $8, $9, $10, decode($11, 'hex'), $12)
                    RETURNING \(Self.columns)
                    """,
                    [
                        String(tenant.id), name, listener, cidr, identifier, hex(sealed), String(secret.utf8.count),
                        requireMessageAuthenticator ? "true" : "false", String(coaPort), vendor, coaSealed.map(hex),
                        coaSecret.map { String($0.utf8.count) },
                    ])
                let added = try device(result)
                try AuditLog(connection: connection).record(audit, tenant: tenant)
                return added
            } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
                throw StoreError(.conflict, "tenant '\(tenant.slug)' already has a NAS named '\(name)'")
            }
        }
    }

    public func list(tenant: Tenant) throws -> [NASDevice] {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query("SELECT \(Self.columns) FROM nas_devices ORDER BY name")
        }
        return try devices(result)
    }

    /// The tenant's NAS devices by name, `limit` after name `after[0]`.
    public func page(tenant: Tenant, after: [String]?, limit: Int) throws -> KeysetPage<NASDevice> {
        try PageLimit.check(limit)
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query(
                """
                SELECT \(Self.columns) FROM nas_devices
                WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2
                """, try keyParts(after, 1) + [String(limit + 1)])
        }
        return KeysetPage(fetched: try devices(result), limit: limit) { [$0.name] }
    }

    /// One NAS of the tenant by name.
    public func find(tenant: Tenant, name: String) throws -> NASDevice {
        let result = try connection.tenantTransaction(tenant.id) { connection in
            try connection.query("SELECT \(Self.columns) FROM nas_devices WHERE name = $1", [name])
        }
        guard result.rowCount == 1 else { throw StoreError(.notFound, "no NAS named '\(name)'") }
        return try device(result)
    }

    /// Changes a NAS's address, NAS-Identifier (`.some(nil)` removes it), listener,
    /// Message-Authenticator requirement, CoA port, CoA secret (`.some(nil)` removes it: the
    /// accounting secret is used again) or vendor profile, with the same checks as a
    /// registration. A nil argument leaves its setting as it is. `audit` is recorded in the
    /// change's transaction.
    public func update(
        tenant: Tenant, name: String, address: String? = nil, identifier: String?? = nil,
        listener: String? = nil, requireMessageAuthenticator: Bool? = nil, coaPort: Int? = nil,
        coaSecret: String?? = nil, vendor: String? = nil, audit: AuditRecord? = nil
    ) throws -> NASDevice {
        if let coaPort { try Self.validate(coaPort: coaPort) }
        if let vendor { try Self.validate(vendor: vendor) }
        if case .some(.some(let coaSecret)) = coaSecret { try Self.validate(secret: coaSecret, named: "the CoA secret") }
        let coaSealed = try coaSecret.map { try $0.map { try cipher.seal(Array($0.utf8), tenantID: tenant.id) } }
        return try connection.transaction { connection in
            try lockRegistry(connection)
            let current = try connection.query(
                "SELECT \(Self.columns) FROM nas_devices WHERE tenant_id = $1 AND name = $2 FOR UPDATE",
                [String(tenant.id), name])
            guard current.rowCount == 1 else { throw StoreError(.notFound, "no NAS named '\(name)'") }
            let device = try self.device(current)
            let newListener = listener ?? device.listener
            let newIdentifier = identifier ?? device.identifier
            try Self.validate(name: name, listener: newListener, identifier: newIdentifier)
            let cidr = try address.map { try Self.normalize(address: $0, connection: connection) } ?? device.address
            try checkListener(newListener, tenant: tenant, connection: connection)
            try checkAmbiguity(
                listener: newListener, address: cidr, identifier: newIdentifier, tenant: tenant, excluding: device.id,
                connection: connection)
            // $9 says whether the CoA secret changes; then $10 is the sealed one, or NULL to remove it.
            let result = try connection.query(
                """
                UPDATE nas_devices SET address = $3::cidr, identifier = $4, listener = $5, require_message_authenticator = $6,
                                       coa_port = $7, vendor = $8,
                                       coa_secret_sealed = CASE WHEN $9::boolean THEN decode($10, 'hex') ELSE coa_secret_sealed END,
                                       coa_secret_octets = CASE WHEN $9::boolean THEN $11::integer ELSE coa_secret_octets END,
                                       updated_at = now()
                WHERE tenant_id = $1 AND id = $2
                RETURNING \(Self.columns)
                """,
                [
                    String(tenant.id), String(device.id), cidr, newIdentifier, newListener,
                    (requireMessageAuthenticator ?? device.requireMessageAuthenticator) ? "true" : "false",
                    String(coaPort ?? device.coaPort), vendor ?? device.vendor, coaSecret == nil ? "false" : "true",
                    coaSealed.flatMap { $0.map(hex) }, coaSecret.flatMap { $0.map { String($0.utf8.count) } },
                ])
            let updated = try self.device(result)
            try AuditLog(connection: connection).record(audit, tenant: tenant)
            return updated
        }
    }

    /// Removes a NAS; `audit` is recorded in the same transaction (not when there is none).
    public func remove(tenant: Tenant, name: String, audit: AuditRecord? = nil) throws {
        try connection.tenantTransaction(tenant.id) { connection in
            guard try connection.query("DELETE FROM nas_devices WHERE name = $1", [name]).affectedRows == 1 else {
                throw StoreError(.notFound, "tenant '\(tenant.slug)' has no NAS named '\(name)'")
            }
            try AuditLog(connection: connection).record(audit, tenant: tenant)
        }
    }

    /// Replaces a NAS's shared secret; `audit` is recorded in the same transaction.
    public func rotateSecret(tenant: Tenant, name: String, secret: String, audit: AuditRecord? = nil) throws {
        try Self.validate(secret: secret)
        let sealed = try cipher.seal(Array(secret.utf8), tenantID: tenant.id)
        try connection.tenantTransaction(tenant.id) { connection in
            guard
                try connection.query(
                    """
                    UPDATE nas_devices SET secret_sealed = decode($2, 'hex'), secret_octets = $3, updated_at = now() WHERE name = $1
                    """, [name, hex(sealed), String(secret.utf8.count)]
                ).affectedRows == 1
            else {
                throw StoreError(.notFound, "tenant '\(tenant.slug)' has no NAS named '\(name)'")
            }
            try AuditLog(connection: connection).record(audit, tenant: tenant)
        }
    }

    /// Every NAS of every tenant with its secret opened, for the collector.
    public func loadRegistry() throws -> (version: Int64, devices: [RegisteredNAS], listeners: [ListenerAssignment]) {
        try connection.transaction { connection in
            let version = Int64(try connection.query("SELECT version FROM registry_state WHERE id = 1").value(row: 0, column: 0) ?? "0") ?? 0
            let result = try connection.query(
                """
                SELECT \(Self.columns), encode(secret_sealed, 'hex') AS secret_sealed FROM nas_devices ORDER BY tenant_id, id
                """)
            let sealedColumn = try result.column("secret_sealed")
            let secretOctets = try result.column("secret_octets")
            var devices: [RegisteredNAS] = []
            var unrecorded: [(id: Int64, octets: Int)] = []
            for (row, device) in try self.devices(result, opening: false).enumerated() {
                var nas = device
                let sealed = SecretCipher.hexBytes(result.value(row: row, column: sealedColumn) ?? "") ?? []
                let secret = try cipher.open(sealed, tenantID: nas.tenantID)
                if result.value(row: row, column: secretOctets) == nil {
                    nas.weakSecret = secret.count < Self.weakSecretOctets
                    unrecorded.append((nas.id, secret.count))
                }
                devices.append(RegisteredNAS(device: nas, secret: secret))
            }
            // Secrets written before schema version 7: their length is recorded once, here,
            // where they are open anyway (the registry version moves, so one more reload follows).
            if !unrecorded.isEmpty {
                var ids = ArrayParameter()
                var lengths = ArrayParameter()
                for (id, octets) in unrecorded {
                    ids.append(id)
                    lengths.append(Int64(octets))
                }
                try connection.query(
                    """
                    UPDATE nas_devices n SET secret_octets = u.octets
                    FROM unnest($1::bigint[], $2::integer[]) AS u (id, octets)
                    WHERE n.id = u.id AND n.secret_octets IS NULL
                    """, [ids.literal, lengths.literal])
            }
            let listeners = try connection.query("SELECT name, tenant_id FROM listeners ORDER BY name")
            let c = try listeners.columns("name", "tenant_id")
            let assignments = (0..<listeners.rowCount).map {
                ListenerAssignment(
                    name: listeners.value(row: $0, column: c[0]) ?? "", tenantID: listeners.value(row: $0, column: c[1]).flatMap { Int64($0) })
            }
            return (version, devices, assignments)
        }
    }

    /// The registry's change counter: cheap to poll.
    public func registryVersion() throws -> Int64 {
        Int64(try connection.query("SELECT version FROM registry_state WHERE id = 1").value(row: 0, column: 0) ?? "0") ?? 0
    }

    /// Records the configured listeners and which tenant each is dedicated to.
    public func syncListeners(_ listeners: [(name: String, tenantSlug: String?)]) throws {
        try connection.transaction { connection in
            try lockRegistry(connection)
            for listener in listeners {
                var tenantID: String?
                if let slug = listener.tenantSlug {
                    guard let id = try connection.query("SELECT id FROM tenants WHERE slug = $1", [slug]).value(row: 0, column: 0) else {
                        throw StoreError(.notFound, "listener '\(listener.name)' is dedicated to tenant '\(slug)', which does not exist")
                    }
                    tenantID = id
                }
                let current = try connection.query("SELECT tenant_id FROM listeners WHERE name = $1", [listener.name])
                if current.rowCount == 1 && current.value(row: 0, column: 0) == tenantID { continue }
                try connection.query(
                    """
                    INSERT INTO listeners (name, tenant_id) VALUES ($1, $2)
                    ON CONFLICT (name) DO UPDATE SET tenant_id = excluded.tenant_id, updated_at = now()
                    """, [listener.name, tenantID])
            }
        }
    }

    // MARK: Checks

    private func checkLimit(tenant: Tenant, connection: PostgresConnection) throws {
        let count =
            Int(
                try connection.query("SELECT count(*) FROM nas_devices WHERE tenant_id = $1", [String(tenant.id)])
                    .value(row: 0, column: 0) ?? "0") ?? 0
        guard count < limit else {
            throw StoreError(
                .conflict,
                "tenant '\(tenant.slug)' already has \(count) NAS, its limit (nas_limit_per_tenant = \(limit)): remove one, or raise the limit")
        }
    }

    private func lockRegistry(_ connection: PostgresConnection) throws {
        // Serialises registrations so two concurrent ones cannot both pass the ambiguity check.
        try connection.execute("SELECT pg_advisory_xact_lock(7308604897068083558)")
    }

    private func checkListener(_ listener: String, tenant: Tenant, connection: PostgresConnection) throws {
        let owner = try connection.query("SELECT t.slug FROM listeners l JOIN tenants t ON t.id = l.tenant_id WHERE l.name = $1", [listener])
        if owner.rowCount == 1, let slug = owner.value(row: 0, column: 0), slug != tenant.slug {
            throw StoreError(.conflict, "listener '\(listener)' is dedicated to another tenant")
        }
    }

    private func checkAmbiguity(
        listener: String, address: String, identifier: String?, tenant: Tenant, excluding: Int64?,
        connection: PostgresConnection
    ) throws {
        // Another tenant's overlapping NAS clashes even with distinct NAS-Identifiers: the
        // identifier is whatever the sender puts in the packet, so it cannot keep tenants apart.
        let clash = try connection.query(
            """
            SELECT t.slug, n.name, n.address::text AS address, n.identifier, n.tenant_id FROM nas_devices n JOIN tenants t ON t.id = n.tenant_id
            WHERE n.listener = $1 AND n.address && $2::cidr
              AND (n.tenant_id <> $5 OR n.identifier IS NULL OR $3::text IS NULL OR n.identifier = $3)
              AND ($4::bigint IS NULL OR n.id <> $4)
            ORDER BY n.tenant_id = $5, t.slug, n.name LIMIT 1
            """, [listener, address, identifier, excluding.map(String.init), String(tenant.id)])
        let c = try clash.columns("slug", "name", "address", "identifier", "tenant_id")
        if clash.rowCount == 1, clash.value(row: 0, column: c[4]) != String(tenant.id) {
            // Another tenant's device: refused without naming it, its tenant or its address.
            throw StoreError(
                .conflict,
                """
                packets from \(address) on listener '\(listener)' could not be told apart from a NAS registered by another \
                tenant: use a listener dedicated to your tenant
                """)
        }
        guard clash.rowCount == 0 else {
            let other = "\(clash.value(row: 0, column: c[0]) ?? "")/\(clash.value(row: 0, column: c[1]) ?? "")"
            let otherAddress = clash.value(row: 0, column: c[2]) ?? ""
            throw StoreError(
                .conflict,
                """
                packets from \(address) on listener '\(listener)' could not be told apart from NAS \(other) (\(otherAddress)\
                \(clash.value(row: 0, column: c[3]).map { ", NAS-Identifier \($0)" } ?? "")): use another listener, a non-overlapping \
                address, or distinct --identifier values on both
                """)
        }
    }

    static func validate(name: String, listener: String, identifier: String?) throws {
        guard !name.isEmpty, name.count <= 200, !name.contains("\0") else {
            throw StoreError(.invalid, "NAS name must be 1-200 characters")
        }
        guard isSlug(listener) else {
            throw StoreError(.invalid, "listener name '\(listener)' must be 1-63 characters of a-z, 0-9, '-' and '_'")
        }
        if let identifier, identifier.isEmpty || identifier.utf8.count > 253 || identifier.contains("\0") {
            throw StoreError(.invalid, "NAS-Identifier must be 1-253 octets")
        }
    }

    static func validate(secret: String, named what: String = "the shared secret") throws {
        // RFC 2865 asks for at least 16 octets but real deployments use shorter ones; refuse
        // only what cannot work.
        guard !secret.isEmpty, secret.utf8.count <= 128, !secret.contains("\0") else {
            throw StoreError(.invalid, "\(what) must be 1-128 octets")
        }
    }

    static func validate(coaPort: Int) throws {
        guard (1...65535).contains(coaPort) else {
            throw StoreError(.invalid, "the CoA port must be 1-65535, not \(coaPort) (RFC 5176 assigns 3799)")
        }
    }

    static func validate(vendor: String) throws {
        // The name becomes part of a file path (Config/vendors/NAME.toml): no dots, no slashes.
        guard isSlug(vendor), vendor.utf8.count <= 40 else {
            throw StoreError(
                .invalid,
                """
                vendor must be 1-40 characters of a-z, 0-9, '-' and '_', beginning with a letter or digit: the name of a profile \
                in Config/vendors
                """)
        }
    }

    /// Canonical CIDR text for an address or prefix; refuses anything else. An IPv4-mapped
    /// IPv6 address or prefix (::ffff:10.0.0.1) becomes the IPv4 one (10.0.0.1/32): a
    /// dual-stack listener receives IPv4 packets in that form, and the registry and the
    /// overlap checks compare them as IPv4. A wider IPv6 prefix that would cover every IPv4
    /// address that way is refused.
    static func normalize(address: String, connection: PostgresConnection) throws -> String {
        let result: PostgresResult
        do {
            result = try connection.query(
                """
                SELECT CASE WHEN c <<= '::ffff:0:0/96'::cidr
                            THEN set_masklen('0.0.0.0'::inet + (host(c)::inet - '::ffff:0.0.0.0'::inet), masklen(c) - 96)::cidr::text
                            ELSE c::text END AS normalized,
                       c >> '::ffff:0:0/96'::cidr AS covers_mapped
                FROM (SELECT $1::cidr AS c) a
                """, [address])
        } catch let error as PostgresError where error.kind == .statement {
            throw StoreError(.invalid, "'\(address)' is not an IP address or prefix (e.g. 10.0.0.1 or 10.0.0.0/24, host bits zero)")
        }
        let c = try result.columns("normalized", "covers_mapped")
        guard result.value(row: 0, column: c[1]) != "t" else {
            throw StoreError(
                .invalid, "'\(address)' covers every IPv4-mapped address (::ffff:0:0/96): register IPv4 ranges as IPv4 (e.g. 10.0.0.0/8)")
        }
        return result.value(row: 0, column: c[0]) ?? address
    }

    /// The NAS of a statement that returns exactly one row of `columns`.
    func device(_ result: PostgresResult) throws -> NASDevice {
        guard let device = try devices(result).first else { throw PostgresError(.result, message: "NAS row without id") }
        return device
    }

    /// Rows of `columns`. A secret written before schema version 7 has no recorded length:
    /// it is opened (`opening`) to tell whether it is weak.
    func devices(_ result: PostgresResult, opening: Bool = true) throws -> [NASDevice] {
        let id = try result.column("id")
        let tenantID = try result.column("tenant_id")
        let name = try result.column("name")
        let listener = try result.column("listener")
        let address = try result.column("address")
        let identifier = try result.column("identifier")
        let secretOctets = try result.column("secret_octets")
        let requireAuthenticator = try result.column("require_message_authenticator")
        let legacySealed = try result.column("legacy_secret_sealed")
        let coaPort = try result.column("coa_port")
        let vendor = try result.column("vendor")
        let coaSecretOctets = try result.column("coa_secret_octets")
        return try (0..<result.rowCount).map { row in
            guard let nasID = result.value(row: row, column: id).flatMap({ Int64($0) }),
                let tenant = result.value(row: row, column: tenantID).flatMap({ Int64($0) })
            else {
                throw PostgresError(.result, message: "NAS row without id")
            }
            var octets = result.value(row: row, column: secretOctets).flatMap { Int($0) }
            if octets == nil, opening, let sealed = result.value(row: row, column: legacySealed).flatMap(SecretCipher.hexBytes) {
                do {
                    octets = try cipher.open(sealed, tenantID: tenant).count
                } catch {
                    throw StoreError(
                        .invalid,
                        "the secret key does not open the secret of NAS '\(result.value(row: row, column: name) ?? "")': configure the secret_key it was sealed with"
                    )
                }
            }
            let coaOctets = result.value(row: row, column: coaSecretOctets).flatMap { Int($0) }
            return NASDevice(
                id: nasID, tenantID: tenant, name: result.value(row: row, column: name) ?? "",
                listener: result.value(row: row, column: listener) ?? "", address: result.value(row: row, column: address) ?? "",
                identifier: result.value(row: row, column: identifier), weakSecret: (octets ?? Int.max) < Self.weakSecretOctets,
                requireMessageAuthenticator: result.value(row: row, column: requireAuthenticator) == "t",
                coaPort: result.value(row: row, column: coaPort).flatMap { Int($0) } ?? Self.defaultCoAPort,
                vendor: result.value(row: row, column: vendor) ?? Self.defaultVendor, hasCoASecret: coaOctets != nil,
                weakCoASecret: (coaOctets ?? Int.max) < Self.weakSecretOctets)
        }
    }
}
