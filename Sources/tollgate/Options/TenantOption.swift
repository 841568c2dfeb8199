import ArgumentParser

/// `--tenant`: the tenant a command works on, by slug.
struct TenantOption: ParsableArguments {
    @Option(name: .customLong("tenant"), help: "Tenant slug.")
    var slug: String
}
