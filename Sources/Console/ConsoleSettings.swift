/// How the console treats sessions and sign-ins.
public struct ConsoleSettings: Sendable, Equatable {
    /// A session ends after this long without a request.
    public var idleTimeout: Duration = .seconds(30 * 60)
    /// A session ends this long after sign-in whatever happens.
    public var lifetime: Duration = .seconds(12 * 3600)
    /// Cookies are marked Secure (sent over HTTPS only): on when the HTTP port has TLS.
    public var secureCookies = false
    /// Failed sign-ins one email, or one client address, may make per `loginWindow`; more
    /// are refused (429) until the window has passed.
    public var loginAttempts = 5
    public var loginWindow: Duration = .seconds(5 * 60)

    public init(
        idleTimeout: Duration = .seconds(30 * 60), lifetime: Duration = .seconds(12 * 3600), secureCookies: Bool = false,
        loginAttempts: Int = 5, loginWindow: Duration = .seconds(5 * 60)
    ) {
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
        self.secureCookies = secureCookies
        self.loginAttempts = loginAttempts
        self.loginWindow = loginWindow
    }
}
