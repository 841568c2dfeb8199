/// The HTTP port's and the management API's limits (`[api]` in the file). Each field
/// documents its default.
public struct APISettings: Sendable, Equatable {
    /// Threads (each with its database connection) running API database work. Default 8.
    public var databaseThreads = 8
    /// Threads (and connections) kept for token checks only, so that report queries never
    /// delay authentication. Default 2.
    public var authThreads = 2
    /// Most database jobs of one tenant at once; a streaming CSV export counts as one while it
    /// streams. Default 4.
    public var tenantConcurrency = 4
    /// Longest a job over its tenant's limit waits for a slot before 429 with Retry-After.
    /// Default 10 s.
    public var queueWait: Duration = .seconds(10)
    /// Longest one SQL statement of an API request may run. Default 30 s.
    public var statementTimeout: Duration = .seconds(30)
    /// How long a connection may stay silent (no request, or a request's bytes not arriving)
    /// before it is closed. Default 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// Longest the body of a request may take to arrive. Default 30 s.
    public var readTimeout: Duration = .seconds(30)
    /// Most HTTP connections open at once; further ones wait in the kernel's backlog.
    /// Default 512.
    public var maxConnections = 512
    /// PEM file with the certificate chain for HTTPS on the HTTP port; with `tlsKey`. Default
    /// empty: plain HTTP.
    public var tlsCertificate: String?
    /// PEM file with the private key of `tlsCertificate`. Default empty.
    public var tlsKey: String?

    public init() {}
}
