/// The OpenAPI 3.1 description of the API, served at /openapi.yaml. A test checks that its
/// paths and methods are exactly the router's.
enum OpenAPIDocument {
    static let yaml = """
        openapi: 3.1.0
        info:
          title: Tollgate management API
          version: "1"
          description: |
            Operators register NAS devices; billing staff read usage and run invoices. Every request
            carries `Authorization: Bearer <token>` (see `tollgate token create`). Without a valid token: 401.
            A role that may not call an endpoint: 403. Another tenant's object: 404 (ids cannot be probed).
            The tenant is the token's; it is never taken from the URL or the body. Bodies are JSON objects of
            at most 1 MiB; unknown fields, wrong types and out-of-range values are 400 with a message naming
            the field. Money is exact decimal text in the currency's major unit.
        servers:
          - url: /
        security:
          - bearer: []
        paths:
          /v1/tenants:
            get:
              summary: List tenants (admin).
              responses:
                "200": {description: Tenants., content: {application/json: {schema: {$ref: "#/components/schemas/TenantList"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
            post:
              summary: Create a tenant (admin).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/TenantCreate"}}}
              responses:
                "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/Tenant"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/tenants/{slug}:
            parameters:
              - {name: slug, in: path, required: true, schema: {type: string}}
            get:
              summary: Show a tenant (admin).
              responses:
                "200": {description: The tenant., content: {application/json: {schema: {$ref: "#/components/schemas/Tenant"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
            patch:
              summary: Change a tenant's name, time zone, currency (only before it has plans), billing day or rounding (admin).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/TenantUpdate"}}}
              responses:
                "200": {description: The tenant., content: {application/json: {schema: {$ref: "#/components/schemas/Tenant"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/nas:
            get:
              summary: List the tenant's NAS devices (operator). Secrets are never returned.
              responses:
                "200": {description: NAS devices., content: {application/json: {schema: {$ref: "#/components/schemas/NASList"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
            post:
              summary: Register a NAS device (operator).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/NASCreate"}}}
              responses:
                "201": {description: Registered., content: {application/json: {schema: {$ref: "#/components/schemas/NAS"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/nas/{name}:
            parameters:
              - {name: name, in: path, required: true, schema: {type: string}, description: NAS name (percent-encoded)}
            get:
              summary: Show a NAS device (operator).
              responses:
                "200": {description: The NAS., content: {application/json: {schema: {$ref: "#/components/schemas/NAS"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
            patch:
              summary: Change a NAS's address, NAS-Identifier (null removes it) or listener (operator).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/NASUpdate"}}}
              responses:
                "200": {description: The NAS., content: {application/json: {schema: {$ref: "#/components/schemas/NAS"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "409": {$ref: "#/components/responses/Conflict"}
            delete:
              summary: Remove a NAS device (operator).
              responses:
                "204": {description: Removed.}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
          /v1/nas/{name}/secret:
            parameters:
              - {name: name, in: path, required: true, schema: {type: string}}
            post:
              summary: Rotate a NAS's shared secret (operator). Write-only.
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [secret], properties: {secret: {type: string, minLength: 1, maxLength: 128}}}}}
              responses:
                "204": {description: Rotated.}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
          /v1/sessions:
            get:
              summary: Sessions, newest first, a page at a time (operator, billing, readonly).
              parameters:
                - {name: state, in: query, schema: {type: string, enum: [active, closed, all], default: all}}
                - {name: user, in: query, schema: {type: string}}
                - {name: nas, in: query, schema: {type: string}, description: NAS name}
                - {name: from, in: query, schema: {type: string}, description: "Started at or after: YYYY-MM-DD[THH:MM[:SS]] in the tenant's zone, or with Z in UTC"}
                - {name: to, in: query, schema: {type: string}, description: Started before (same forms)}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
                - {name: cursor, in: query, schema: {type: string}, description: next_cursor of the previous page}
              responses:
                "200": {description: A page., content: {application/json: {schema: {$ref: "#/components/schemas/SessionPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/usage:
            get:
              summary: Usage per subscriber, optionally per hour, day or month of the tenant's zone (billing, readonly).
              parameters:
                - {name: user, in: query, schema: {type: string}}
                - {name: from, in: query, schema: {type: string}, description: Inclusive, tenant-local date or time (Z for UTC)}
                - {name: to, in: query, schema: {type: string}, description: Exclusive}
                - {name: by, in: query, schema: {type: string, enum: [hour, day, month]}}
                - {name: format, in: query, schema: {type: string, enum: [json, csv], default: json}}
              responses:
                "200":
                  description: Usage rows.
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/UsageList"}}
                    text/csv: {schema: {type: string}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/usage/totals:
            get:
              summary: Usage of the whole tenant, optionally per period (billing, readonly).
              parameters:
                - {name: from, in: query, schema: {type: string}}
                - {name: to, in: query, schema: {type: string}}
                - {name: by, in: query, schema: {type: string, enum: [hour, day, month]}}
              responses:
                "200": {description: Totals., content: {application/json: {schema: {$ref: "#/components/schemas/UsageTotalList"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/usage/top:
            get:
              summary: The subscribers with the most usage in a range (billing, readonly).
              parameters:
                - {name: from, in: query, schema: {type: string}}
                - {name: to, in: query, schema: {type: string}}
                - {name: by, in: query, schema: {type: string, enum: [download, upload, total], default: total}}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10000, default: 100}}
              responses:
                "200": {description: Top subscribers., content: {application/json: {schema: {$ref: "#/components/schemas/UsageList"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/usage/unassigned:
            get:
              summary: Usage in a billing period of User-Names that are no subscriber (billing, readonly).
              parameters:
                - {name: period, in: query, required: true, schema: {type: string, pattern: "^[0-9]{4}-[0-9]{2}$"}}
              responses:
                "200": {description: Unassigned usage., content: {application/json: {schema: {$ref: "#/components/schemas/UnassignedList"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/plans:
            get:
              summary: Plans with their versions (billing).
              responses:
                "200": {description: Plans., content: {application/json: {schema: {$ref: "#/components/schemas/PlanList"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
            post:
              summary: Create a plan from a plan document (the keys of Config/plans/README.md, as JSON; name required) (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/PlanDocument"}}}
              responses:
                "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/plans/{name}:
            parameters:
              - {name: name, in: path, required: true, schema: {type: string}}
            get:
              summary: Show a plan (billing).
              responses:
                "200": {description: The plan., content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
          /v1/plans/{name}/versions:
            parameters:
              - {name: name, in: path, required: true, schema: {type: string}}
            post:
              summary: Add a plan version from a date (effective_from required) (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/PlanDocument"}}}
              responses:
                "201": {description: The plan., content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
          /v1/subscribers:
            get:
              summary: Subscribers and their plan assignments (billing).
              parameters:
                - {name: user, in: query, schema: {type: string}}
              responses:
                "200": {description: Subscribers., content: {application/json: {schema: {$ref: "#/components/schemas/SubscriberList"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
            post:
              summary: Add a subscriber on a plan from a date (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [user, plan, from], properties: {user: {type: string}, plan: {type: string}, from: {type: string, format: date}}}}}
              responses:
                "201": {description: Added., content: {application/json: {schema: {$ref: "#/components/schemas/Subscriber"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/subscribers/plan-changes:
            post:
              summary: Move a subscriber to another plan from a date (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [user, plan, "on"], properties: {user: {type: string}, plan: {type: string}, "on": {type: string, format: date}}}}}
              responses:
                "200": {description: The subscriber., content: {application/json: {schema: {$ref: "#/components/schemas/Subscriber"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/subscribers/ends:
            post:
              summary: End a subscriber's plan from a date (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [user, "on"], properties: {user: {type: string}, "on": {type: string, format: date}}}}}
              responses:
                "200": {description: The subscriber., content: {application/json: {schema: {$ref: "#/components/schemas/Subscriber"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "409": {$ref: "#/components/responses/Conflict"}
          /v1/invoice-runs:
            post:
              summary: Rate a billing period into draft invoices, optionally making them final (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [period], properties: {period: {type: string, pattern: "^[0-9]{4}-[0-9]{2}$"}, finalize: {type: boolean, default: false}, lookback: {type: integer, minimum: 0, maximum: 24, default: 3}}}}}
              responses:
                "200": {description: What the run did., content: {application/json: {schema: {$ref: "#/components/schemas/InvoiceRun"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/invoices:
            get:
              summary: Invoices (billing).
              parameters:
                - {name: period, in: query, schema: {type: string}}
                - {name: status, in: query, schema: {type: string, enum: [draft, final]}}
                - {name: user, in: query, schema: {type: string}}
                - {name: format, in: query, schema: {type: string, enum: [json, csv], default: json}}
              responses:
                "200":
                  description: Invoices.
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/InvoiceList"}}
                    text/csv: {schema: {type: string}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/invoices/export:
            get:
              summary: Every line of a period's invoices (billing).
              parameters:
                - {name: period, in: query, required: true, schema: {type: string}}
                - {name: format, in: query, schema: {type: string, enum: [json, csv], default: csv}}
              responses:
                "200":
                  description: Lines.
                  content:
                    text/csv: {schema: {type: string}}
                    application/json: {schema: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/InvoiceLine"}}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
          /v1/invoices/{id}:
            parameters:
              - {name: id, in: path, required: true, schema: {type: integer}}
            get:
              summary: An invoice with its lines (billing).
              responses:
                "200": {description: The invoice., content: {application/json: {schema: {$ref: "#/components/schemas/Invoice"}}}}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer}
          responses:
            Unauthorized: {description: No token or not a valid one., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Forbidden: {description: The token's role may not do this., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            NotFound: {description: No such object for this tenant., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Invalid: {description: A field is missing, unknown, of the wrong type or out of range (named in the message)., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Conflict: {description: Conflicts with existing data., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
          schemas:
            Error:
              type: object
              properties: {error: {type: object, properties: {code: {type: string}, message: {type: string}}}}
            Tenant:
              type: object
              properties: {id: {type: integer}, slug: {type: string}, name: {type: string}, currency: {type: string}, time_zone: {type: string}, billing_day: {type: integer}, rounding_mode: {type: string}}
            TenantList: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Tenant"}}}}
            TenantCreate:
              type: object
              additionalProperties: false
              required: [slug, name]
              properties: {slug: {type: string, pattern: "^[a-z0-9][a-z0-9_-]{0,62}$"}, name: {type: string, maxLength: 200}, currency: {type: string, default: EUR}, time_zone: {type: string, default: UTC}, billing_day: {type: integer, minimum: 1, maximum: 28, default: 1}, rounding_mode: {type: string, enum: [half-even, half-up, half-down, ceiling, floor], default: half-even}}
            TenantUpdate:
              type: object
              additionalProperties: false
              properties: {name: {type: string, maxLength: 200}, currency: {type: string}, time_zone: {type: string}, billing_day: {type: integer, minimum: 1, maximum: 28}, rounding_mode: {type: string, enum: [half-even, half-up, half-down, ceiling, floor]}}
            NAS:
              type: object
              properties: {id: {type: integer}, tenant_id: {type: integer}, name: {type: string}, listener: {type: string}, address: {type: string}, identifier: {type: [string, "null"]}}
            NASList: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/NAS"}}}}
            NASCreate:
              type: object
              additionalProperties: false
              required: [name, address, secret]
              properties: {name: {type: string, maxLength: 200}, address: {type: string, description: IP address or CIDR prefix}, secret: {type: string, minLength: 1, maxLength: 128, writeOnly: true}, listener: {type: string, default: default}, identifier: {type: string, maxLength: 253}}
            NASUpdate:
              type: object
              additionalProperties: false
              properties: {address: {type: string}, identifier: {type: [string, "null"]}, listener: {type: string}}
            Session:
              type: object
              properties: {id: {type: integer}, nas: {type: string}, user: {type: string}, session_id: {type: string}, nas_port: {type: string}, started_at: {type: [string, "null"]}, last_update_at: {type: [string, "null"]}, stopped_at: {type: [string, "null"]}, close_reason: {type: [string, "null"]}, terminate_cause: {type: [integer, "null"]}, upload_bytes: {type: integer}, download_bytes: {type: integer}, session_seconds: {type: integer}, framed_ip_address: {type: [string, "null"]}}
            SessionPage: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Session"}}, next_cursor: {type: [string, "null"]}}}
            Usage:
              type: object
              properties: {subscriber: {type: string}, period: {type: [string, "null"]}, upload_bytes: {type: integer}, download_bytes: {type: integer}, session_seconds: {type: integer}}
            UsageList: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Usage"}}}}
            UsageTotalList:
              type: object
              properties: {items: {type: array, items: {type: object, properties: {period: {type: [string, "null"]}, upload_bytes: {type: integer}, download_bytes: {type: integer}, session_seconds: {type: integer}}}}}
            UnassignedList:
              type: object
              properties: {items: {type: array, items: {type: object, properties: {user: {type: string}, upload_bytes: {type: integer}, download_bytes: {type: integer}}}}}
            PlanDocument: {type: object, description: "Keys as in Config/plans/README.md: name, effective_from, currency, recurring_fee, unit, included, counted, overage, tiers, increment, windows, cap, tax_rate; decimals as strings"}
            Plan:
              type: object
              properties: {id: {type: integer}, name: {type: string}, versions: {type: array, items: {type: object, properties: {id: {type: integer}, effective_from: {type: string}, terms: {type: object}}}}}
            PlanList: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Plan"}}}}
            Subscriber:
              type: object
              properties: {id: {type: integer}, user: {type: string}, assignments: {type: array, items: {type: object, properties: {plan: {type: string}, starts_on: {type: string}, ends_on: {type: [string, "null"]}}}}}
            SubscriberList: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Subscriber"}}}}
            InvoiceRun:
              type: object
              properties: {period: {type: string}, rated_period: {type: string}, drafts: {type: integer}, finalized: {type: integer}, removed: {type: integer}, lines: {type: integer}, adjustment_lines: {type: integer}, currency: {type: string}, subtotal: {type: string}, tax: {type: string}, total: {type: string}, unassigned: {type: array, items: {type: object}}}
            InvoiceLine:
              type: object
              properties: {invoice_id: {type: integer}, user: {type: string}, period: {type: string}, status: {type: string}, currency: {type: string}, position: {type: integer}, kind: {type: string}, description: {type: string}, quantity: {type: string}, unit: {type: string}, unit_price: {type: string}, amount: {type: string}, tax_rate: {type: string}, tax: {type: string}, plan_version_id: {type: [integer, "null"]}, covers_from: {type: string}, covers_until: {type: string}, usage_bytes: {type: [integer, "null"]}, corrects_period: {type: [string, "null"]}}
            Invoice:
              type: object
              properties: {id: {type: integer}, user: {type: string}, period: {type: string}, period_start: {type: string}, period_end: {type: string}, status: {type: string}, currency: {type: string}, subtotal: {type: string}, tax: {type: string}, total: {type: string}, rated_at: {type: string}, finalized_at: {type: [string, "null"]}, lines: {type: array, items: {$ref: "#/components/schemas/InvoiceLine"}}}
            InvoiceList: {type: object, properties: {items: {type: array, items: {$ref: "#/components/schemas/Invoice"}}}}

        """
}
