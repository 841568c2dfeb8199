import Storage

/// Console users as rows (never their password hashes).
func userListing(_ users: [ConsoleUser]) -> Listing {
    Listing(
        columns: ["email", "tenant", "role", "created_at", "password_changed_at"],
        rows: users.map { [.text($0.email), .text($0.tenant?.slug), .text($0.role.rawValue), .text($0.createdAt), .text($0.passwordChangedAt)] })
}
