import API
import Foundation
import Hummingbird
import Storage

/// The operator's NAS pages: the list with its health and a register form, and one page per
/// NAS to rotate its secret, change its dynamic-authorization settings or remove it.
/// Secrets go in only: no page shows one back, not even in a form the person got wrong.
extension TollgateConsole {
    func registerNASPages<Context: RequestContext>(on router: Router<Context>) {
        router.get("console/nas") { request, _ in
            // A bad query is shown as an error page to whoever may open the section.
            let listing = Result { try NASListing(request) }
            return try await page(request, .nas) { viewer, connection in
                let listing = try listing.get()
                return try NASPageBuilder(viewer: viewer, connection: connection, cipher: cipher).list(listing, notice: listing.notice)
            }
        }
        router.post("console/nas") { request, _ in
            try await form(request, .nas, roles: [.operator]) { viewer, fields, connection in
                try NASPageBuilder(viewer: viewer, connection: connection, cipher: cipher).register(fields)
            }
        }
        router.get("console/nas/{name}") { request, context in
            let name = Result { try nasName(context) }
            let notice = request.uri.queryParameters["done"].flatMap { NASPageBuilder.notices[String($0)] }
            return try await page(request, .nas) { viewer, connection in
                try NASPageBuilder(viewer: viewer, connection: connection, cipher: cipher).device(try name.get(), notice: notice)
            }
        }
        router.post("console/nas/{name}/secret") { request, context in
            let name = Result { try nasName(context) }
            return try await form(request, .nas, roles: [.operator]) { viewer, fields, connection in
                try NASPageBuilder(viewer: viewer, connection: connection, cipher: cipher).rotate(try name.get(), fields)
            }
        }
        router.post("console/nas/{name}/coa") { request, context in
            let name = Result { try nasName(context) }
            return try await form(request, .nas, roles: [.operator]) { viewer, fields, connection in
                try NASPageBuilder(viewer: viewer, connection: connection, cipher: cipher).dynamicAuthorization(try name.get(), fields)
            }
        }
        router.post("console/nas/{name}/remove") { request, context in
            let name = Result { try nasName(context) }
            return try await form(request, .nas, roles: [.operator]) { viewer, fields, connection in
                try NASPageBuilder(viewer: viewer, connection: connection, cipher: cipher).remove(
                    try name.get(), confirmed: fields["confirm"] == "yes")
            }
        }
    }
}

/// The NAS name in a path, percent-decoded; a bad one is a 404 (there is no such page).
private func nasName(_ context: some RequestContext) throws -> String {
    try ConsolePath.parameter(context, "name", maxLength: 200)
}

/// What the NAS list shows: its sort, direction and page, from the query.
struct NASListing: Sendable {
    enum Column: String, CaseIterable, Sendable {
        case name, address, listener, vendor
        case coaPort = "coa_port"
        case lastHeard = "last_heard"
        case sessions
    }

    var sort: Column = .name
    var descending = false
    var page = 1
    var limit = 50
    var notice: String?

    init() {}

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["sort"] {
            guard let column = Column(rawValue: String(text)) else {
                throw ConsoleError(.badRequest, "sort must be one of \(Column.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sort = column
        }
        if let text = query["dir"] {
            guard text == "asc" || text == "desc" else { throw ConsoleError(.badRequest, "dir must be asc or desc") }
            descending = text == "desc"
        }
        if let text = query["page"] {
            guard let n = Int(text), n >= 1, n <= 1_000_000 else { throw ConsoleError(.badRequest, "page must be a whole number from 1") }
            page = n
        }
        if let text = query["limit"] {
            guard let n = Int(text), (1...500).contains(n) else { throw ConsoleError(.badRequest, "limit must be a whole number from 1 to 500") }
            limit = n
        }
        notice = query["done"].flatMap { NASPageBuilder.notices[String($0)] }
    }

    /// The query of this listing with `changes` applied (nil removes a parameter).
    func query(_ changes: [String: String?] = [:]) -> String {
        var parameters: [(String, String?)] = [
            ("sort", sort == .name ? nil : sort.rawValue), ("dir", descending ? "desc" : nil),
            ("limit", limit == 50 ? nil : String(limit)), ("page", page == 1 ? nil : String(page)),
        ]
        for (index, parameter) in parameters.enumerated() {
            if let change = changes[parameter.0] { parameters[index].1 = change }
        }
        let text = parameters.compactMap { name, value in value.map { "\(name)=\(ConsolePath.segment($0))" } }.joined(separator: "&")
        return text.isEmpty ? "/console/nas" : "/console/nas?" + text
    }
}
