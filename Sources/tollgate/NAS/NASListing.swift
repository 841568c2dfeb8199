import Storage

/// NAS devices as rows (never their secrets), as the `nas` commands print them.
func nasListing(_ devices: [NASDevice]) -> Listing {
    Listing(
        columns: [
            "name", "listener", "address", "identifier", "weak_secret", "require_message_authenticator", "coa_port", "vendor",
            "has_coa_secret", "weak_coa_secret",
        ],
        rows: devices.map {
            [
                .text($0.name), .text($0.listener), .text($0.address), .text($0.identifier),
                .flag($0.weakSecret), .flag($0.requireMessageAuthenticator), .number(Int64($0.coaPort)), .text($0.vendor),
                .flag($0.hasCoASecret), .flag($0.weakCoASecret),
            ]
        })
}
