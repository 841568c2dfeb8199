import Foundation

/// Console users: created, listed, removed and given new passwords by the platform operator
/// (`tollgate user ...`). Passwords arrive here already hashed (bcrypt, by the console), so
/// nothing of a password ever reaches SQL.
public struct ConsoleUserStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Adds a user; an email is one user across every tenant (it is what signs in).
    public func create(tenant: Tenant?, email: String, role: TokenRole, passwordHash: String) throws -> ConsoleUser {
        guard (role == .admin) == (tenant == nil) else {
            throw StoreError(
                .invalid, role == .admin ? "an admin belongs to no tenant: leave --tenant out" : "a \(role.rawValue) user needs a tenant")
        }
        let email = try Self.checkedEmail(email)
        guard try connection.query("SELECT 1 FROM console_users WHERE lower(email) = lower($1)", [email]).rowCount == 0 else {
            throw StoreError(.conflict, "a console user with email '\(email)' already exists")
        }
        let result = try connection.query(
            """
            INSERT INTO console_users AS u (tenant_id, email, role, password_hash) VALUES ($1, $2, $3, $4) RETURNING \(Self.columns)
            """, [tenant.map { String($0.id) }, email, role.rawValue, passwordHash])
        guard let user = try Self.users(result, tenants: [tenant]).first else {
            throw PostgresError(.result, message: "console user row without an id or role")
        }
        return user
    }

    /// Users of `tenant`, or every user when nil; by email.
    public func list(tenant: Tenant?) throws -> [ConsoleUser] {
        let result = try connection.query(
            """
            SELECT \(Self.columns), \(Self.tenantColumns) FROM console_users u LEFT JOIN tenants t ON t.id = u.tenant_id
            WHERE $1::bigint IS NULL OR u.tenant_id = $1 ORDER BY lower(u.email)
            """, [tenant.map { String($0.id) }])
        return try Self.users(result)
    }

    /// The user signing in with `email`, and the stored hash to check the password against.
    public func credentials(email: String) throws -> (user: ConsoleUser, passwordHash: String)? {
        let result = try connection.query(
            """
            SELECT \(Self.columns), \(Self.tenantColumns), u.password_hash FROM console_users u LEFT JOIN tenants t ON t.id = u.tenant_id
            WHERE lower(u.email) = lower($1)
            """, [email])
        guard result.rowCount == 1, let hash = result.value(row: 0, column: try result.column("password_hash")),
            let user = try Self.users(result).first
        else { return nil }
        return (user, hash)
    }

    /// Removes a user; their sessions end with them.
    public func remove(email: String) throws {
        guard try connection.query("DELETE FROM console_users WHERE lower(email) = lower($1)", [email]).affectedRows == 1 else {
            throw StoreError(.notFound, "no console user with email '\(email)'")
        }
    }

    /// Sets a new password hash and ends every session of the user (a changed password
    /// signs everyone out who signed in with the old one).
    public func setPasswordHash(email: String, passwordHash: String) throws {
        try connection.transaction { connection in
            let result = try connection.query(
                """
                UPDATE console_users SET password_hash = $2, password_changed_at = now() WHERE lower(email) = lower($1) RETURNING id
                """, [email, passwordHash])
            guard result.rowCount == 1, let id = result.value(row: 0, column: 0) else {
                throw StoreError(.notFound, "no console user with email '\(email)'")
            }
            try connection.query("DELETE FROM console_sessions WHERE user_id = $1", [id])
        }
    }

    /// An email as a user is known by: trimmed, one `@` with text on both sides, no spaces or
    /// control characters, at most 254 octets.
    public static func checkedEmail(_ text: String) throws -> String {
        let email = text.trimmingCharacters(in: .whitespaces)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard (3...254).contains(email.utf8.count), parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !email.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f })
        else {
            throw StoreError(.invalid, "email '\(email.prefix(80))' must be one address like name@example.net (3-254 characters, no spaces)")
        }
        return email
    }

    static let columns = """
        u.id, u.email, u.role, u.tenant_id, to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
        to_char(u.password_changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS password_changed_at
        """
    /// The user's tenant (`t`, joined on `u.tenant_id`), named apart from the user's columns.
    static let tenantColumns = """
        t.slug AS tenant_slug, t.name AS tenant_name, t.currency AS tenant_currency, t.time_zone AS tenant_time_zone,
        t.billing_day AS tenant_billing_day, t.rounding_mode AS tenant_rounding_mode
        """

    /// Rows of `columns` and `tenantColumns`.
    static func users(_ result: PostgresResult) throws -> [ConsoleUser] {
        try users(result, tenants: tenants(result))
    }

    /// Rows of `columns`, each with the tenant at the same index of `tenants`.
    static func users(_ result: PostgresResult, tenants: [Tenant?]) throws -> [ConsoleUser] {
        let id = try result.column("id")
        let email = try result.column("email")
        let roleColumn = try result.column("role")
        let createdAt = try result.column("created_at")
        let passwordChangedAt = try result.column("password_changed_at")
        return try zip(0..<result.rowCount, tenants).map { row, tenant in
            guard let role = result.value(row: row, column: roleColumn).flatMap(TokenRole.init(rawValue:)),
                let userID = result.value(row: row, column: id).flatMap({ Int64($0) })
            else {
                throw PostgresError(.result, message: "console user row without an id or role")
            }
            return ConsoleUser(
                id: userID, email: result.value(row: row, column: email) ?? "", role: role, tenant: tenant,
                createdAt: result.value(row: row, column: createdAt) ?? "",
                passwordChangedAt: result.value(row: row, column: passwordChangedAt) ?? "")
        }
    }

    /// The tenant of each row of `columns` and `tenantColumns`; nil for an admin (no tenant).
    static func tenants(_ result: PostgresResult) throws -> [Tenant?] {
        let id = try result.column("tenant_id")
        let slug = try result.column("tenant_slug")
        let name = try result.column("tenant_name")
        let currency = try result.column("tenant_currency")
        let timeZone = try result.column("tenant_time_zone")
        let billingDay = try result.column("tenant_billing_day")
        let roundingMode = try result.column("tenant_rounding_mode")
        return (0..<result.rowCount).map { row in
            guard let tenantID = result.value(row: row, column: id).flatMap({ Int64($0) }) else { return nil }
            return Tenant(
                id: tenantID, slug: result.value(row: row, column: slug) ?? "", name: result.value(row: row, column: name) ?? "",
                currency: result.value(row: row, column: currency) ?? "", timeZone: result.value(row: row, column: timeZone) ?? "",
                billingDay: Int(result.value(row: row, column: billingDay) ?? "1") ?? 1,
                roundingMode: result.value(row: row, column: roundingMode) ?? "half-even")
        }
    }
}
