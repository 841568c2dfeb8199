import Hummingbird
import Storage

extension TollgateAPI {
    // MARK: Webhooks (operator, billing; readonly may look)

    /// Endpoints are managed by operators (nas.silent, enforcement outcomes) and billing staff
    /// (invoice.finalized, quota.crossed) alike; a readonly token may list them and their
    /// deliveries. Secrets are answered only by the create and rotate calls.
    func webhookRoutes<Context: RequestContext>() -> [APIRoute<Context>] {
        let cipher = self.cipher
        let managers: Set<TokenRole> = [.operator, .billing]
        let readers: Set<TokenRole> = [.operator, .billing, .readonly]
        let fields: Set<String> = ["url", "events", "description", "enabled"]
        return [
            APIRoute(.get, "/v1/webhooks", roles: readers) { request, context in
                let principal = try context.principal
                let cursor = pageCursor("webhooks", principal)
                let page = try QueryInput(request, allowed: ["limit", "cursor"]).page(cursor)
                return try await call(principal) { principal, connection in
                    Page(
                        try WebhookStore(connection: connection, cipher: cipher).page(
                            tenant: try Self.tenant(principal), after: page.after,
                            limit: page.limit), cursor)
                }
            },
            APIRoute(.post, "/v1/webhooks", roles: managers) { request, context in
                let principal = try context.principal
                let body = try await JSONBody.read(request, allowed: fields)
                let url = try body.requiredString("url", maxLength: WebhookURL.maxLength)
                guard let events = try Self.events(body) else { throw APIError.invalid("events is required") }
                let description = try body.string("description") ?? ""
                let enabled = try body.bool("enabled") ?? true
                return try await call(principal, status: .created) { principal, connection in
                    try WebhookStore(connection: connection, cipher: cipher).create(
                        tenant: try Self.tenant(principal), url: url, events: events,
                        description: description, enabled: enabled)
                }
            },
            APIRoute(.get, "/v1/webhooks/{id}", roles: readers) { request, context in
                let principal = try context.principal
                let id = try Self.webhookID(context)
                return try await call(principal) { principal, connection in
                    try WebhookStore(connection: connection, cipher: cipher).find(tenant: try Self.tenant(principal), id: id)
                }
            },
            APIRoute(.patch, "/v1/webhooks/{id}", roles: managers) { request, context in
                let principal = try context.principal
                let id = try Self.webhookID(context)
                let body = try await JSONBody.read(request, allowed: fields)
                let url = try body.string("url", maxLength: WebhookURL.maxLength)
                let events = try Self.events(body)
                let description = try body.string("description")
                let enabled = try body.bool("enabled")
                return try await call(principal) { principal, connection in
                    try WebhookStore(connection: connection, cipher: cipher).update(
                        tenant: try Self.tenant(principal), id: id, url: url, events: events,
                        description: description, enabled: enabled)
                }
            },
            APIRoute(.delete, "/v1/webhooks/{id}", roles: managers) { request, context -> Response in
                let principal = try context.principal
                let id = try Self.webhookID(context)
                try await perform(principal) { principal, connection in
                    try WebhookStore(connection: connection, cipher: cipher).remove(tenant: try Self.tenant(principal), id: id)
                }
                return Response(status: .noContent)
            },
            APIRoute(.post, "/v1/webhooks/{id}/rotate-secret", roles: managers) { request, context in
                let principal = try context.principal
                let id = try Self.webhookID(context)
                return try await call(principal) { principal, connection in
                    try WebhookStore(connection: connection, cipher: cipher).rotateSecret(tenant: try Self.tenant(principal), id: id)
                }
            },
            APIRoute(.get, "/v1/webhooks/{id}/deliveries", roles: readers) { request, context in
                let principal = try context.principal
                let id = try Self.webhookID(context)
                let query = try QueryInput(request, allowed: ["status", "limit", "cursor"])
                let status = try query.string("status", maxLength: 20)
                if let status, !WebhookStore.statuses.contains(status) {
                    throw APIError.invalid("status must be one of \(WebhookStore.statuses.joined(separator: ", "))")
                }
                // Every endpoint's deliveries are in one order (by id), whatever the status filter:
                // a cursor is a bound of that order, sealed for the tenant.
                let cursor = pageCursor("webhook-deliveries", principal)
                let page = try query.page(cursor)
                return try await call(principal) { principal, connection in
                    Page(
                        try WebhookStore(connection: connection, cipher: cipher).deliveries(
                            tenant: try Self.tenant(principal), endpointID: id, status: status, after: page.after, limit: page.limit), cursor)
                }
            },
        ]
    }

    /// The endpoint id of the path: a positive whole number (any other text names no endpoint: 404).
    static func webhookID(_ context: some RequestContext) throws -> Int64 {
        let text = try parameter(context, "id")
        guard let id = Int64(text), id > 0 else { throw APIError(.notFound, "not_found", "no such webhook endpoint") }
        return id
    }

    /// `events`: an array of event names, or nil when absent.
    static func events(_ body: JSONBody) throws -> [String]? {
        guard let value = body.fields["events"], value != .null else { return nil }
        // Repeats are allowed (and dropped), within reason.
        guard case .array(let items) = value, (1...10).contains(items.count) else {
            throw APIError.invalid("events must be an array of 1-10 event names: \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return try items.map { item in
            guard case .string(let name) = item else { throw APIError.invalid("events must hold strings, not \(item.typeName)") }
            try JSONBody.check(name, "events", maxLength: 40)
            return name
        }
    }
}
