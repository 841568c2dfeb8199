import Foundation

/// The OpenAPI document, made once (it lists the database's time zone names).
final class DocumentCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: String?

    func text(_ make: () async throws -> String) async throws -> String {
        if let cached = lock.withLock({ cached }) { return cached }
        let text = try await make()
        lock.withLock { cached = text }
        return text
    }
}
