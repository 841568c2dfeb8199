/// What a webhook reports. The raw value is the event's name on the wire (`Tollgate-Event`,
/// the body's `event`) and in an endpoint's subscription.
public enum WebhookEvent: String, Sendable, CaseIterable {
    case quotaCrossed = "quota.crossed", enforcementAcked = "enforcement.acked", enforcementFailed = "enforcement.failed",
         nasSilent = "nas.silent", invoiceFinalized = "invoice.finalized"
}
