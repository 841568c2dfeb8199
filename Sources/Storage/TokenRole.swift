import COpenSSL
import Foundation

/// What an API token may do.
public enum TokenRole: String, Hashable, Sendable, CaseIterable, Codable {
    /// Platform administration: tenants only, never a tenant's data.
    case admin
    /// A tenant's network operators: NAS devices, sessions.
    case `operator`
    /// A tenant's billing staff: usage, plans, subscribers, invoices, sessions.
    case billing
    /// Reading sessions and usage.
    case readonly
}
