import Hummingbird
import Storage

/// The signed-in person a page is shown to.
public struct Viewer: Sendable {
    public var user: ConsoleUser
    /// The token this session's forms carry.
    public var csrfToken: String

    public var role: TokenRole { user.role }

    /// The viewer's tenant; every tenant page runs in its row-level-security scope. A platform
    /// admin has none and reaches no tenant page.
    public func tenant() throws -> Tenant {
        guard let tenant = user.tenant else { throw ConsoleError.forbidden }
        return tenant
    }

    /// Who the audit log names for this viewer's actions.
    public var actor: String { user.email }

    /// An audit record of an action by this viewer.
    public func audit(_ action: String, _ object: String, _ detail: String = "") -> AuditRecord {
        AuditRecord(actor: actor, action: action, object: object, detail: detail)
    }
}

/// What a page handler hands back to be rendered: a template of `ConsoleTemplates` and the
/// values it shows (a struct or array of structs; Mustache reads properties by name).
public struct PageView: Sendable {
    public var title: String
    public var template: String
    public var data: any Sendable
    public var status: HTTPResponse.Status

    public init(title: String, template: String, data: any Sendable, status: HTTPResponse.Status = .ok) {
        self.title = title
        self.template = template
        self.data = data
        self.status = status
    }
}

/// What a form handler leads to: another page (303 See Other, the usual after a POST), or a
/// page shown at once (a form again with what was wrong, a confirmation).
public enum FormOutcome: Sendable {
    case redirect(String)
    case page(PageView)
}
