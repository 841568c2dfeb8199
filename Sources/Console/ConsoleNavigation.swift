import Storage

/// The console's sections and which roles see them: the navigation shows a person only the
/// sections they may open, and each route checks the same roles.
public enum ConsoleSection: String, CaseIterable, Sendable {
    case overview, subscribers, sessions, topUsers, plans, invoices, nas, audit, tenants

    public var title: String {
        switch self {
        case .overview: "Overview"
        case .subscribers: "Subscribers"
        case .sessions: "Sessions"
        case .topUsers: "Top users"
        case .plans: "Plans"
        case .invoices: "Invoices"
        case .nas: "NAS devices"
        case .audit: "Audit log"
        case .tenants: "Tenants"
        }
    }

    public var path: String {
        switch self {
        case .overview: "/console/"
        case .subscribers: "/console/subscribers"
        case .sessions: "/console/sessions"
        case .topUsers: "/console/top-users"
        case .plans: "/console/plans"
        case .invoices: "/console/invoices"
        case .nas: "/console/nas"
        case .audit: "/console/audit"
        case .tenants: "/console/tenants"
        }
    }

    /// The roles that may open the section (the API's roles: billing staff see usage, plans
    /// and invoices; operators NAS devices and sessions; readonly reads usage and sessions;
    /// the platform admin sees tenants only, never a tenant's data).
    public var roles: Set<TokenRole> {
        switch self {
        case .overview, .sessions: [.billing, .operator, .readonly]
        case .subscribers, .topUsers: [.billing, .readonly]
        case .plans, .invoices: [.billing]
        case .nas: [.operator]
        case .audit: [.billing, .operator]
        case .tenants: [.admin]
        }
    }

    /// Where a person lands after signing in.
    static func home(for role: TokenRole) -> ConsoleSection { role == .admin ? .tenants : .overview }
}
