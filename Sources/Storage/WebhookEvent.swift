/// What a webhook reports. The raw value is the event's name on the wire (`Tollgate-Event`,
/// the body's `event`) and in an endpoint's subscription.
public enum WebhookEvent: String, Sendable, CaseIterable {
    case quotaCrossed = "quota.crossed"
    case enforcementAcked = "enforcement.acked"
    case enforcementFailed = "enforcement.failed"
    case
        nasSilent = "nas.silent"
    case invoiceFinalized = "invoice.finalized"
}
