import COpenSSL
import Foundation

/// Server-side console sessions. The browser holds a random 256-bit token in a cookie; the
/// database keeps only its SHA-256 (a copy of the table signs nobody in). A session ends on
/// sign-out, after `idle` without a request, after `lifetime` in all, when its user is removed
/// or their password changes.
public struct ConsoleSessionStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Starts a session for `user` and returns the cookie token (shown once) and the session.
    /// Always a new token: whatever the browser presented before signing in is never promoted
    /// (no session fixation).
    ///
    /// `verifiedHash`: the password hash the sign-in was checked against; when given, the
    /// session starts only if it is still the user's (a password changed, or the user removed,
    /// while the check ran gives nil).
    public func start(user: ConsoleUser, client: String, verifiedHash: String? = nil) throws -> (token: String, session: ConsoleSession)? {
        let token = hex(TokenStore.random(32))
        let csrf = hex(TokenStore.random(32))
        let inserted = try connection.query(
            """
            INSERT INTO console_sessions (token_hash, user_id, csrf_token, client)
            SELECT decode($1, 'hex'), u.id, $3, $4 FROM console_users u WHERE u.id = $2 AND ($5::text IS NULL OR u.password_hash = $5)
            """, [hex(TokenStore.sha256(Array(token.utf8))), String(user.id), csrf, String(client.prefix(200)), verifiedHash]
        ).affectedRows
        return inserted == 1 ? (token, ConsoleSession(user: user, csrfToken: csrf)) : nil
    }

    /// The live session of a presented cookie token, or nil (unknown, ended, idle too long or
    /// too old). Marks it seen, at most once a minute.
    public func session(token: String, idle: Duration, lifetime: Duration) throws -> ConsoleSession? {
        guard token.utf8.count == 64, token.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        let hash = hex(TokenStore.sha256(Array(token.utf8)))
        let result = try connection.query(
            """
            SELECT \(ConsoleUserStore.columns), \(ConsoleUserStore.tenantColumns), s.csrf_token,
                   s.last_seen_at < now() - interval '1 minute' AS stale_seen
            FROM console_sessions s JOIN console_users u ON u.id = s.user_id LEFT JOIN tenants t ON t.id = u.tenant_id
            WHERE s.token_hash = decode($1, 'hex')
              AND s.last_seen_at > now() - make_interval(secs => $2) AND s.created_at > now() - make_interval(secs => $3)
            """, [hash, String(idle.components.seconds), String(lifetime.components.seconds)])
        guard result.rowCount == 1, let user = try ConsoleUserStore.users(result).first else { return nil }
        guard (user.role == .admin) == (user.tenant == nil) else { return nil }
        if result.value(row: 0, column: try result.column("stale_seen")) == "t" {
            try connection.query("UPDATE console_sessions SET last_seen_at = now() WHERE token_hash = decode($1, 'hex')", [hash])
        }
        return ConsoleSession(user: user, csrfToken: result.value(row: 0, column: try result.column("csrf_token")) ?? "")
    }

    /// Ends the session of a cookie token (sign-out); nothing happens for an unknown one.
    public func end(token: String) throws {
        try connection.query("DELETE FROM console_sessions WHERE token_hash = decode($1, 'hex')", [hex(TokenStore.sha256(Array(token.utf8)))])
    }

    /// Deletes sessions past their idle time or lifetime; how many.
    @discardableResult
    public func purge(idle: Duration, lifetime: Duration) throws -> Int {
        try connection.query(
            """
            DELETE FROM console_sessions WHERE last_seen_at <= now() - make_interval(secs => $1) OR created_at <= now() - make_interval(secs => $2)
            """, [String(idle.components.seconds), String(lifetime.components.seconds)]
        ).affectedRows
    }
}
