extension OpenAPIDocument {
    /// A webhook URL exactly as `WebhookURL.validate` takes it: http or https, a host name,
    /// IPv4 or [IPv6] address, a port 1-65535 without leading zeros, then printable ASCII but '#'.
    static let webhookURL = "^[hH][tT][tT][pP]([sS])?://([A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[[0-9A-Fa-f:.]+\\])"
        + "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?][!-\"$-~]*)?$"
    /// The event names, as a YAML flow list.
    static let webhookEvents = "[quota.crossed, enforcement.acked, enforcement.failed, nas.silent, invoice.finalized]"
    /// A description: no control characters.
    static let webhookDescription = "^[^\\x00-\\x1f\\x7f]*$"

    static let webhookPaths = """
          /v1/webhooks:
            get:
              summary: List the tenant's webhook endpoints by id (operator, billing, readonly). Secrets are never listed.
              parameters:
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of endpoints., content: {application/json: {schema: {$ref: "#/components/schemas/WebhookEndpointPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            post:
              summary: "Add a webhook endpoint (operator, billing). The answer carries its signing secret, shown this once: each delivery is signed with Tollgate-Signature t=<unix>,v1=<hex HMAC-SHA256 of '<t>.<body>'>."
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/WebhookCreate"}}}
              responses:
                "201": {description: Added; secret is present this once., content: {application/json: {schema: {$ref: "#/components/schemas/WebhookEndpoint"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/webhooks/{id}:
            parameters:
              - $ref: "#/components/parameters/WebhookID"
            get:
              summary: Show a webhook endpoint (operator, billing, readonly).
              responses:
                "200": {description: The endpoint., content: {application/json: {schema: {$ref: "#/components/schemas/WebhookEndpoint"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            patch:
              summary: Change an endpoint's URL, events, description or whether it is enabled (operator, billing). A disabled endpoint gets no new deliveries; its pending ones wait.
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/WebhookUpdate"}}}
              responses:
                "200": {description: The endpoint., content: {application/json: {schema: {$ref: "#/components/schemas/WebhookEndpoint"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            delete:
              summary: Remove a webhook endpoint with its deliveries (operator, billing).
              responses:
                "204": {description: Removed.}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/webhooks/{id}/rotate-secret:
            parameters:
              - $ref: "#/components/parameters/WebhookID"
            post:
              summary: Replace an endpoint's signing secret (operator, billing); the answer carries the new one, shown this once. Retries are signed with it too.
              responses:
                "200": {description: The endpoint with its new secret., content: {application/json: {schema: {$ref: "#/components/schemas/WebhookEndpoint"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/webhooks/{id}/deliveries:
            parameters:
              - $ref: "#/components/parameters/WebhookID"
            get:
              summary: An endpoint's deliveries, newest first (operator, billing, readonly).
              parameters:
                - {name: status, in: query, description: Only deliveries in this state., schema: {type: string, enum: [pending, delivered, failed]}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of deliveries., content: {application/json: {schema: {$ref: "#/components/schemas/WebhookDeliveryPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
        """

    static let webhookSchemas = """
            WebhookEndpoint:
              type: object
              required: [id, url, description, events, enabled, created_at, updated_at]
              properties: {id: {type: integer}, url: {type: string}, description: {type: string}, events: {type: array, items: {type: string, enum: \(webhookEvents)}}, enabled: {type: boolean}, created_at: {type: string}, updated_at: {type: string}, secret: {type: string, readOnly: true, description: "The signing secret (whsec_ and 64 hex digits): only in the answer that created or rotated it."}}
            WebhookEndpointPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/WebhookEndpoint"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            WebhookCreate:
              type: object
              additionalProperties: false
              required: [url, events]
              properties: {url: {type: string, minLength: 1, maxLength: 2048, pattern: '\(webhookURL)'}, events: {type: array, minItems: 1, maxItems: 10, items: {type: string, enum: \(webhookEvents)}}, description: {type: [string, "null"], maxLength: 200, pattern: '\(webhookDescription)', default: ""}, enabled: {type: [boolean, "null"], default: true}}
            WebhookUpdate:
              type: object
              additionalProperties: false
              description: A field that is null or left out stays as it is.
              properties: {url: {type: [string, "null"], minLength: 1, maxLength: 2048, pattern: '\(webhookURL)'}, events: {type: [array, "null"], minItems: 1, maxItems: 10, items: {type: string, enum: \(webhookEvents)}}, description: {type: [string, "null"], maxLength: 200, pattern: '\(webhookDescription)'}, enabled: {type: [boolean, "null"]}}
            WebhookDelivery:
              type: object
              required: [id, endpoint_id, event, idempotency_key, status, attempts, created_at]
              properties: {id: {type: integer}, endpoint_id: {type: integer}, event: {type: string}, idempotency_key: {type: string, format: uuid}, status: {type: string, enum: [pending, delivered, failed]}, attempts: {type: integer}, created_at: {type: string}, next_attempt_at: {type: string, description: When the next attempt is due (pending only).}, delivered_at: {type: string}, last_status_code: {type: integer}, last_error: {type: string}}
            WebhookDeliveryPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/WebhookDelivery"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
        """
}
