import Rating

/// Tenants: created and listed by the platform operator.
public struct TenantStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func create(
        slug: String, name: String, currency: String = "EUR", timeZone: String = "UTC", billingDay: Int = 1,
        roundingMode: String = "half-even"
    ) throws -> Tenant {
        guard isSlug(slug) else {
            throw StoreError(.invalid, "tenant slug '\(slug)' must be 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit")
        }
        try validate(
            Tenant(
                id: 0, slug: slug, name: name, currency: currency, timeZone: timeZone, billingDay: billingDay,
                roundingMode: roundingMode))
        do {
            let result = try connection.query(
                """
                INSERT INTO tenants (slug, name, currency, time_zone, billing_day, rounding_mode) VALUES ($1, $2, $3, $4, $5, $6)
                RETURNING \(Self.columns)
                """, [slug, name, currency, timeZone, String(billingDay), roundingMode])
            return try Self.tenant(result)
        } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
            throw StoreError(.conflict, "a tenant with slug '\(slug)' already exists")
        }
    }

    /// Changes a tenant's settings; nil leaves one as it is. The currency cannot change once
    /// the tenant has plans (their prices are in it), the time zone once it has usage.
    public func update(
        slug: String, name: String? = nil, currency: String? = nil, timeZone: String? = nil, billingDay: Int? = nil,
        roundingMode: String? = nil
    ) throws -> Tenant {
        let current = try require(slug: slug)
        let new = Tenant(
            id: current.id, slug: slug, name: name ?? current.name, currency: currency ?? current.currency,
            timeZone: timeZone ?? current.timeZone, billingDay: billingDay ?? current.billingDay,
            roundingMode: roundingMode ?? current.roundingMode)
        try validate(new)
        return try connection.transaction { connection in
            // Usage is kept per local day of the tenant's zone and billing periods are cut there:
            // once usage exists, a new zone would move it between days and periods.
            if new.timeZone != current.timeZone,
                try connection.query("SELECT 1 FROM usage_hourly WHERE tenant_id = $1 LIMIT 1", [String(current.id)]).rowCount > 0
            {
                throw StoreError(
                    .conflict,
                    "the time zone of tenant '\(slug)' cannot change once usage is recorded (its days and billing periods are cut in \(current.timeZone))"
                )
            }
            if new.currency != current.currency,
                try connection.query("SELECT 1 FROM plan_versions WHERE tenant_id = $1 LIMIT 1", [String(current.id)]).rowCount > 0
            {
                throw StoreError(.conflict, "the currency of tenant '\(slug)' cannot change: its plans are priced in \(current.currency)")
            }
            let result = try connection.query(
                """
                UPDATE tenants SET name = $2, currency = $3, time_zone = $4, billing_day = $5, rounding_mode = $6 WHERE id = $1
                RETURNING \(Self.columns)
                """, [String(current.id), new.name, new.currency, new.timeZone, String(new.billingDay), new.roundingMode])

            return try Self.tenant(result)
        }
    }

    public func list() throws -> [Tenant] {
        let result = try connection.query("SELECT \(Self.columns) FROM tenants ORDER BY slug")
        return try Self.tenants(result)
    }

    /// Tenants by slug, `limit` after slug `after[0]`.
    public func page(after: [String]?, limit: Int) throws -> KeysetPage<Tenant> {
        try PageLimit.check(limit)
        let result = try connection.query(
            "SELECT \(Self.columns) FROM tenants WHERE ($1::text IS NULL OR slug > $1) ORDER BY slug LIMIT $2",
            try keyParts(after, 1) + [String(limit + 1)])
        return KeysetPage(fetched: try Self.tenants(result), limit: limit) { [$0.slug] }
    }

    public func find(slug: String) throws -> Tenant? {
        let result = try connection.query("SELECT \(Self.columns) FROM tenants WHERE slug = $1", [slug])
        return try Self.tenants(result).first
    }

    /// The tenant with this slug, or a not-found error naming it.
    public func require(slug: String) throws -> Tenant {
        guard let tenant = try find(slug: slug) else { throw StoreError(.notFound, "no tenant '\(slug)'") }
        return tenant
    }

    static let columns = "id, slug, name, currency, time_zone, billing_day, rounding_mode"
    public static let roundingModes = RoundingMode.allCases.map(\.rawValue)

    func validate(_ tenant: Tenant) throws {
        guard !tenant.name.isEmpty, tenant.name.count <= 200, !tenant.name.contains("\0") else {
            throw StoreError(.invalid, "tenant name must be 1-200 characters")
        }
        guard tenant.currency.count == 3, tenant.currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw StoreError(.invalid, "currency '\(tenant.currency)' must be an ISO 4217 code such as EUR")
        }
        guard (1...28).contains(tenant.billingDay) else {
            throw StoreError(.invalid, "billing day must be 1-28, not \(tenant.billingDay)")
        }
        guard Self.roundingModes.contains(tenant.roundingMode) else {
            throw StoreError(.invalid, "rounding mode '\(tenant.roundingMode)' must be one of \(Self.roundingModes.joined(separator: ", "))")
        }
        try checkTimeZone(tenant.timeZone)
    }

    /// Every time zone name a tenant may have, sorted.
    public func timeZoneNames() throws -> [String] {
        try connection.query("SELECT name FROM pg_timezone_names ORDER BY name").rows.compactMap { $0[0] }
    }

    func checkTimeZone(_ zone: String) throws {
        let known = try connection.query("SELECT 1 FROM pg_timezone_names WHERE name = $1", [zone]).rowCount > 0
        guard known else { throw StoreError(.invalid, "unknown time zone '\(zone)': use an IANA name such as Europe/Vienna") }
    }

    /// The tenant of a statement that returns exactly one row of `columns`.
    static func tenant(_ result: PostgresResult) throws -> Tenant {
        guard let tenant = try tenants(result).first else { throw PostgresError(.result, message: "tenant row without id") }
        return tenant
    }

    /// Rows of `columns`.
    static func tenants(_ result: PostgresResult) throws -> [Tenant] {
        let id = try result.column("id")
        let slug = try result.column("slug")
        let name = try result.column("name")
        let currency = try result.column("currency")
        let timeZone = try result.column("time_zone")
        let billingDay = try result.column("billing_day")
        let roundingMode = try result.column("rounding_mode")
        return try (0..<result.rowCount).map { row in
            guard let tenantID = result.value(row: row, column: id).flatMap({ Int64($0) }) else {
                throw PostgresError(.result, message: "tenant row without id")
            }
            return Tenant(
                id: tenantID, slug: result.value(row: row, column: slug) ?? "", name: result.value(row: row, column: name) ?? "",
                currency: result.value(row: row, column: currency) ?? "", timeZone: result.value(row: row, column: timeZone) ?? "",
                billingDay: Int(result.value(row: row, column: billingDay) ?? "1") ?? 1,
                roundingMode: result.value(row: row, column: roundingMode) ?? "half-even")
        }
    }
}
