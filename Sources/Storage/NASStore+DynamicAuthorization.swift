extension NASStore {
    /// The dynamic-authorization settings of the tenant's NAS among `nasIDs`, by NAS id. Ids
    /// of other tenants' NAS, of removed NAS, of NAS registered as a prefix (which name no
    /// one address to send to) and of NAS whose address another tenant's NAS shares (on
    /// another listener) have no entry.
    ///
    /// Filters on the tenant itself rather than relying on row-level security, so it serves
    /// the owner connection of the enforcement path (which works for every tenant) as well as a
    /// connection inside that tenant's transaction.
    public func dynamicAuthorization(tenantID: Int64, nasIDs: [Int64]) throws -> [Int64: NASDynamicAuthorization] {
        guard !nasIDs.isEmpty else { return [:] }
        var ids = ArrayParameter()
        for id in Set(nasIDs).sorted() { ids.append(id) }
        let result = try connection.query(
            """
            SELECT id, name, host(address) AS address, coa_port, vendor, identifier,
                   encode(coalesce(coa_secret_sealed, secret_sealed), 'hex') AS coa_secret_sealed
            FROM nas_devices n
            WHERE tenant_id = $1 AND id = ANY($2::bigint[]) AND masklen(address) = CASE family(address) WHEN 4 THEN 32 ELSE 128 END
              -- Another tenant's NAS at the same address (behind another listener) is another
              -- device that one CoA port cannot tell apart: no request is sent to either.
              AND NOT EXISTS (SELECT 1 FROM nas_devices o WHERE o.tenant_id <> n.tenant_id AND o.address >>= n.address)
            """, [String(tenantID), ids.literal])
        let idColumn = try result.column("id")
        let nameColumn = try result.column("name")
        let address = try result.column("address")
        let coaPort = try result.column("coa_port")
        let vendor = try result.column("vendor")
        let identifier = try result.column("identifier")
        let sealed = try result.column("coa_secret_sealed")
        var settings: [Int64: NASDynamicAuthorization] = [:]
        for row in 0..<result.rowCount {
            guard let id = result.value(row: row, column: idColumn).flatMap({ Int64($0) }),
                let port = result.value(row: row, column: coaPort).flatMap({ Int($0) })
            else {
                throw PostgresError(.result, message: "NAS row without id or CoA port")
            }
            let name = result.value(row: row, column: nameColumn) ?? ""
            let secret: [UInt8]
            do {
                secret = try cipher.open(SecretCipher.hexBytes(result.value(row: row, column: sealed) ?? "") ?? [], tenantID: tenantID)
            } catch {
                throw StoreError(.invalid, "the secret key does not open the secret of NAS '\(name)': configure the secret_key it was sealed with")
            }
            settings[id] = NASDynamicAuthorization(
                nasID: id, tenantID: tenantID, name: name, address: result.value(row: row, column: address) ?? "", port: port, secret: secret,
                vendor: result.value(row: row, column: vendor) ?? NASStore.defaultVendor, identifier: result.value(row: row, column: identifier))
        }
        return settings
    }
}
