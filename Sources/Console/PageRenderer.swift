import HTTPTypes
import Hummingbird
import Mustache

/// Renders console pages: a page template's output inside the layout, with the headers every
/// console response carries.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            // The templates are part of the program: one that does not parse is a bug found by
            // the first test that renders any page.
            do { try library.register(text, named: name) } catch { preconditionFailure("console template \(name): \(error)") }
        }
        self.library = library
    }

    /// The layout's values around a page.
    struct Layout {
        var title: String
        var content: String
        var signedIn: Bool
        var email: String
        var tenantName: String
        var role: String
        var csrf: String
        var sections: [Link]
    }

    struct Link {
        var title: String
        var path: String
        var current: Bool
    }

    /// A whole HTML response for `view`, shown to `viewer` (nil: signed out, no navigation).
    func response(_ view: PageView, viewer: Viewer?, current: ConsoleSection? = nil, headers extra: HTTPFields = [:]) -> Response {
        let content = library.render(MustacheTree.make(view.data), withTemplate: view.template) ?? ""
        let sections =
            viewer.map { viewer in
                ConsoleSection.allCases.filter { $0.roles.contains(viewer.role) }.map { Link(title: $0.title, path: $0.path, current: $0 == current) }
            } ?? []
        let layout = Layout(
            title: view.title, content: content, signedIn: viewer != nil, email: viewer?.user.email ?? "",
            tenantName: viewer?.user.tenant?.name ?? (viewer == nil ? "" : "Platform"), role: viewer?.role.rawValue ?? "",
            csrf: viewer?.csrfToken ?? "", sections: sections)
        let html = library.render(MustacheTree.make(layout), withTemplate: "layout") ?? ""
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        for field in extra { headers.append(field) }
        return Response(status: view.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Every console response: no script at all, styles and images from the console only, no
    /// framing, forms post back to the console only, nothing cached (pages show billing data).
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
        .cacheControl: "no-store",
    ]
}
