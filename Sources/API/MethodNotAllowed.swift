import Hummingbird

/// Answers 405 with `Allow` for a known path asked with a method it does not have (the
/// router alone answers 404, as if the path did not exist).
///
/// Added to the router after every route, so it wraps only the router's not-found answer.
struct MethodNotAllowed<Context: RequestContext>: RouterMiddleware {
    /// Each route path as segments (a parameter matches any one segment), with its methods.
    let paths: [(segments: [Substring], methods: [String])]

    init(routes: [(method: String, path: String)]) {
        var methods: [String: Set<String>] = [:]
        for route in routes { methods[route.path, default: []].insert(route.method) }
        paths = methods.keys.sorted().map { path in
            (path.split(separator: "/"), methods[path, default: []].sorted())
        }
    }

    /// The methods of the route path `path` matches, nil when it matches none.
    func allowed(_ path: String) -> [String]? {
        let segments = path.split(separator: "/")
        let matching = paths.filter { candidate in
            candidate.segments.count == segments.count
                && zip(candidate.segments, segments).allSatisfy { Self.isParameter($0) || $0 == $1 }
        }
        guard !matching.isEmpty else { return nil }
        return Array(Set(matching.flatMap(\.methods))).sorted()
    }

    /// A path parameter as the router spells it: `:name`, `${name}` or `{name}`.
    static func isParameter(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || segment.hasPrefix("{") || segment.hasPrefix("${")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = allowed(request.uri.path), !methods.contains(request.method.rawValue) else { throw error }
            var notAllowed = APIError(
                .methodNotAllowed, "method_not_allowed",
                "\(request.method.rawValue) is not a method of this path; it has \(methods.joined(separator: ", "))")
            notAllowed.allow = methods.joined(separator: ", ")
            throw notAllowed
        }
    }
}
