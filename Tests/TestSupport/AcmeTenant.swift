import Storage

/// A database with tenant "acme" and NAS 127.0.0.1 (secret testing123), set up through the CLI.
public func prepareDatabase() throws -> (url: String, connection: PostgresConnection) {
    let (url, connection) = try TestDatabase.fresh()
    try registerAcme(url: url, migrate: false)
    return (url, connection)
}

/// Tenant "acme" and its NAS 127.0.0.1 (secret testing123) through the CLI, in the database at
/// `url`; `migrate`: the schema first (a private cluster's database is empty).
public func registerAcme(url: String, migrate: Bool = true) throws {
    let steps = [
        ["tenant", "create", "acme", "--name", "ACME"],
        ["nas", "add", "--tenant", "acme", "--name", "lo", "--address", "127.0.0.1", "--secret", "testing123"],
    ]
    for arguments in (migrate ? [["migrate"]] : []) + steps {
        let result = try runTollgate(arguments + ["--database-url", url], environment: ["TOLLGATE_SECRET_KEY": secretKey])
        guard result.status == 0 else { throw SetUpError(result.error) }
    }
}
