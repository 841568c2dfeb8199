import Storage

/// One row per plan assignment (a subscriber without any has one row with no plan).
func subscriberListing(_ subscribers: [SubscriberRecord]) -> Listing {
    Listing(
        columns: ["user", "plan", "from", "until"],
        rows: subscribers.flatMap { subscriber -> [[Listing.Cell]] in
            if subscriber.assignments.isEmpty { return [[.text(subscriber.userName), .text(nil), .text(nil), .text(nil)]] }
            return subscriber.assignments.map {
                [.text(subscriber.userName), .text($0.planName), .text($0.startsOn.description), .text($0.endsOn?.description)]
            }
        })
}
