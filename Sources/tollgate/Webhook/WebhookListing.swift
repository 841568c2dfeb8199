import Storage

/// Endpoints as rows; with their signing secret only where it is shown once (add, rotate-secret).
func webhookListing(_ endpoints: [WebhookEndpoint], withSecret: Bool) -> Listing {
    Listing(
        columns: ["id", "url", "events", "enabled", "description", "created_at"] + (withSecret ? ["secret"] : []),
        rows: endpoints.map {
            [.number($0.id), .text($0.url), .text($0.events.joined(separator: ",")), .flag($0.enabled), .text($0.description), .text($0.createdAt)]
                + (withSecret ? [.text($0.secret)] : [])
        })
}
