import Storage

/// Tenants as rows, as `tenant create`, `list` and `update` print them.
func tenantListing(_ tenants: [Tenant]) -> Listing {
    Listing(
        columns: ["slug", "name", "currency", "time_zone", "billing_day", "rounding"],
        rows: tenants.map {
            [.text($0.slug), .text($0.name), .text($0.currency), .text($0.timeZone), .number(Int64($0.billingDay)), .text($0.roundingMode)]
        })
}
