/// What a request does to a session.
public enum EnforcementAction: String, Sendable, CaseIterable {
    /// Lowers the session's rate to the policy's rate (CoA).
    case throttle
    /// Stops the session's traffic without ending it (CoA), e.g. into a walled garden.
    case block
    /// Gives the session its plan's rate back (CoA) after a top-up or a new cycle.
    case restore
    /// Ends the session (Disconnect).
    case disconnect
}
