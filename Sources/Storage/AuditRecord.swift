/// An action to record: who did what to what. Store functions that change what staff
/// change take one and add it in their own transaction.
public struct AuditRecord: Hashable, Sendable {
    public var actor: String
    public var action: String
    public var object: String
    public var detail: String

    public init(actor: String, action: String, object: String, detail: String = "") {
        self.actor = actor
        self.action = action
        self.object = object
        self.detail = detail
    }
}
