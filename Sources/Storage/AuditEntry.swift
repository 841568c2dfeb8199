/// One staff action as the audit log keeps it.
public struct AuditEntry: Hashable, Sendable, Codable {
    public var id: Int64
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    public var at: String
    /// Who: a console user's email, or `token:<id>` for an API token.
    public var actor: String
    /// What, e.g. `plan.version_added`, `invoice_run.finalized`, `top_up.added`.
    public var action: String
    /// On what, e.g. the plan's name or the run's period.
    public var object: String
    public var detail: String
}
