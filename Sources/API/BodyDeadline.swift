import Hummingbird

/// Reads a request's body with a deadline before the route sees it: a client that sends
/// headers and then trickles (or withholds) the body gets 408 instead of holding the
/// request open. Bodies are at most `JSONBody.maximumSize` octets (413 past that).
struct BodyDeadline<Context: RequestContext>: RouterMiddleware {
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post || request.method == .patch || request.method == .put else { return try await next(request, context) }
        let body = request.body
        let timeout = self.timeout
        let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                do { return try await body.collect(upTo: JSONBody.maximumSize) } catch is CancellationError { return nil } catch {
                    throw APIError(.contentTooLarge, "too_large", "the request body is larger than \(JSONBody.maximumSize) octets")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else {
                throw APIError(.requestTimeout, "timeout", "the request body did not arrive within \(timeout.components.seconds) s")
            }
            return buffer
        }
        var request = request
        request.body = RequestBody(buffer: buffer)
        return try await next(request, context)
    }
}
