/// The OpenAPI 3.1 description of the API, served at /openapi.yaml. A test checks that its
/// paths and methods are exactly the router's; schemathesis (scripts/test) checks every
/// operation against a running server with tokens of each role.
enum OpenAPIDocument {
    /// A calendar date as the API reads it: four digits of year from 1000, a month and a day
    /// that exists (29 February is left out of the pattern: it exists in leap years only).
    static let date = "[1-9][0-9]{3}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
    /// A range bound: a date, optionally with a time (HH:MM or HH:MM:SS), optionally Z for UTC.
    static let bound = "^\(date)(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?)?Z?$"
    /// A billing period of a year 1100-8999 (an invoice run looks up to 24 months back).
    static let period = "^(1[1-9][0-9]{2}|[2-8][0-9]{3})-(0[1-9]|1[0-2])$"
    /// Text without NUL characters.
    static let text = "^[^\\x00]*$"
    /// A decimal string: digits, optionally a point and 1-18 more digits.
    static let decimal = "^[0-9]{1,9}([.][0-9]{1,18})?$"

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
            at most 1 MiB (413 past that, 408 when they do not arrive in time); unknown fields, unknown query
            parameters, wrong types and out-of-range values are 400 with a message naming the field. Money is
            exact decimal text in the currency's major unit. A method a path does not have is 405 with Allow.

            Listings come a page at a time: `limit` rows (default 1000, at most 10000) and `next_cursor`,
            null on the last page. Pass `next_cursor` back as `cursor` with the same filters for the next
            page; following the cursors gives every row exactly once. Cursors are opaque, sealed for one
            tenant and one listing: anything else is 400. CSV (`format=csv`) streams every row instead
            (limit and cursor are checked but do not apply to it).

            Each tenant has a few database jobs running at once; a request over that waits briefly, then
            is 429 with Retry-After. 503 (with Retry-After) when the database is unreachable or a query
            takes too long.
        servers:
          - url: /
        security:
          - bearer: []
        paths:
          /v1/tenants:
            get:
              summary: List tenants by slug (admin).
              parameters:
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of tenants., content: {application/json: {schema: {$ref: "#/components/schemas/TenantPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
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
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/tenants/{slug}:
            parameters:
              - {name: slug, in: path, required: true, schema: {type: string, minLength: 1, maxLength: 253, pattern: '\(text)'}}
            get:
              summary: Show a tenant (admin).
              responses:
                "200": {description: The tenant., content: {application/json: {schema: {$ref: "#/components/schemas/Tenant"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            patch:
              summary: Change a tenant's name, time zone (only before it has usage), currency (only before it has plans), billing day or rounding (admin).
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/TenantUpdate"}}}
              responses:
                "200": {description: The tenant., content: {application/json: {schema: {$ref: "#/components/schemas/Tenant"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/nas:
            get:
              summary: List the tenant's NAS devices by name (operator). Secrets are never returned.
              parameters:
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of NAS devices., content: {application/json: {schema: {$ref: "#/components/schemas/NASPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
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
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/nas/{name}:
            parameters:
              - $ref: "#/components/parameters/NASName"
            get:
              summary: Show a NAS device (operator).
              responses:
                "200": {description: The NAS., content: {application/json: {schema: {$ref: "#/components/schemas/NAS"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            patch:
              summary: "Change a NAS's address, NAS-Identifier (null removes it), listener, Message-Authenticator requirement, CoA port, CoA secret (null removes it) or vendor profile (operator)."
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/NASUpdate"}}}
              responses:
                "200": {description: The NAS., content: {application/json: {schema: {$ref: "#/components/schemas/NAS"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            delete:
              summary: Remove a NAS device (operator).
              responses:
                "204": {description: Removed.}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/nas/{name}/secret:
            parameters:
              - $ref: "#/components/parameters/NASName"
            post:
              summary: Rotate a NAS's shared secret (operator). Write-only.
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [secret], properties: {secret: {$ref: "#/components/schemas/Secret"}}}}}
              responses:
                "204": {description: Rotated.}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/sessions:
            get:
              summary: Sessions, newest first, a page at a time (operator, billing, readonly).
              parameters:
                - {name: state, in: query, schema: {type: string, enum: [active, closed, all], default: all}}
                - $ref: "#/components/parameters/User"
                - {name: nas, in: query, description: NAS name, schema: {type: string, maxLength: 200, pattern: '\(text)'}}
                - {name: from, in: query, description: "Started at or after: YYYY-MM-DD[THH:MM[:SS]] in the tenant's zone, or with Z in UTC", schema: {type: string, pattern: '\(bound)'}}
                - {name: to, in: query, description: Started before (same forms), schema: {type: string, pattern: '\(bound)'}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page., content: {application/json: {schema: {$ref: "#/components/schemas/SessionPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/usage:
            get:
              summary: Usage per subscriber, optionally per hour, day or month of the tenant's zone, by subscriber and period (billing, readonly).
              description: JSON comes a page at a time; format=csv streams every row (limit and cursor are checked but do not apply).
              parameters:
                - $ref: "#/components/parameters/User"
                - $ref: "#/components/parameters/From"
                - $ref: "#/components/parameters/To"
                - {name: by, in: query, schema: {type: string, enum: [hour, day, month]}}
                - {name: format, in: query, schema: {type: string, enum: [json, csv], default: json}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200":
                  description: A page of usage rows, or all of them as CSV.
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/UsagePage"}}
                    text/csv: {schema: {type: string}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/usage/totals:
            get:
              summary: Usage of the whole tenant, optionally per period (billing, readonly).
              parameters:
                - $ref: "#/components/parameters/From"
                - $ref: "#/components/parameters/To"
                - {name: by, in: query, schema: {type: string, enum: [hour, day, month]}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of totals by period., content: {application/json: {schema: {$ref: "#/components/schemas/UsageTotalPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/usage/top:
            get:
              summary: The subscribers with the most usage in a range, most first (billing, readonly). The first page is the top `limit` (default 100); the cursor continues down the ranking.
              parameters:
                - $ref: "#/components/parameters/From"
                - $ref: "#/components/parameters/To"
                - {name: by, in: query, schema: {type: string, enum: [download, upload, total], default: total}}
                - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 10000, default: 100}}
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of the ranking., content: {application/json: {schema: {$ref: "#/components/schemas/UsagePage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/usage/unassigned:
            get:
              summary: Usage in a billing period of User-Names that are no subscriber, by User-Name (billing, readonly).
              parameters:
                - $ref: "#/components/parameters/RequiredPeriod"
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of unassigned usage., content: {application/json: {schema: {$ref: "#/components/schemas/UnassignedPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/plans:
            get:
              summary: Plans by name with their versions (billing).
              parameters:
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of plans., content: {application/json: {schema: {$ref: "#/components/schemas/PlanPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            post:
              summary: Create a plan from a plan document (the keys of Config/plans/README.md, as JSON; name required) (billing). A currency other than the tenant's is 409.
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/PlanCreate"}}}
              responses:
                "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/plans/{name}:
            parameters:
              - $ref: "#/components/parameters/PlanName"
            get:
              summary: Show a plan (billing).
              responses:
                "200": {description: The plan., content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/plans/{name}/versions:
            parameters:
              - $ref: "#/components/parameters/PlanName"
            post:
              summary: Add a plan version from a date (effective_from required) (billing). A currency other than the tenant's, or a name other than the path's, is 409.
              requestBody:
                required: true
                content: {application/json: {schema: {$ref: "#/components/schemas/PlanVersionCreate"}}}
              responses:
                "201": {description: The plan., content: {application/json: {schema: {$ref: "#/components/schemas/Plan"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/subscribers:
            get:
              summary: Subscribers by User-Name with their plan assignments (billing).
              parameters:
                - $ref: "#/components/parameters/User"
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of subscribers., content: {application/json: {schema: {$ref: "#/components/schemas/SubscriberPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            post:
              summary: Add a subscriber on a plan from a date (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [user, plan, from], properties: {user: {$ref: "#/components/schemas/UserName"}, plan: {$ref: "#/components/schemas/PlanNameText"}, from: {type: string, format: date}}}}}
              responses:
                "201": {description: Added., content: {application/json: {schema: {$ref: "#/components/schemas/Subscriber"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/subscribers/plan-changes:
            post:
              summary: Move a subscriber to another plan from a date (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [user, plan, "on"], properties: {user: {$ref: "#/components/schemas/UserName"}, plan: {$ref: "#/components/schemas/PlanNameText"}, "on": {type: string, format: date}}}}}
              responses:
                "200": {description: The subscriber., content: {application/json: {schema: {$ref: "#/components/schemas/Subscriber"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/subscribers/ends:
            post:
              summary: End a subscriber's plan from a date (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [user, "on"], properties: {user: {$ref: "#/components/schemas/UserName"}, "on": {type: string, format: date}}}}}
              responses:
                "200": {description: The subscriber., content: {application/json: {schema: {$ref: "#/components/schemas/Subscriber"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/invoice-runs:
            post:
              summary: Rate a billing period into draft invoices, optionally making them final (billing).
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [period], properties: {period: {type: string, pattern: '\(period)'}, finalize: {type: [boolean, "null"], default: false}, lookback: {type: [integer, "null"], minimum: 0, maximum: 24, default: 3}}}}}
              responses:
                "200": {description: What the run did., content: {application/json: {schema: {$ref: "#/components/schemas/InvoiceRun"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "408": {$ref: "#/components/responses/Timeout"}
                "409": {$ref: "#/components/responses/Conflict"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/invoices:
            get:
              summary: Invoices, newest period first, then by User-Name (billing). JSON comes a page at a time; format=csv streams every invoice.
              parameters:
                - {name: period, in: query, schema: {type: string, pattern: '\(period)'}}
                - {name: status, in: query, schema: {type: string, enum: [draft, final]}}
                - $ref: "#/components/parameters/User"
                - {name: format, in: query, schema: {type: string, enum: [json, csv], default: json}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200":
                  description: A page of invoices (without lines), or all of them as CSV.
                  content:
                    application/json: {schema: {$ref: "#/components/schemas/InvoicePage"}}
                    text/csv: {schema: {type: string}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/invoices/export:
            get:
              summary: Every line of a period's invoices, by User-Name, invoice and position (billing). CSV (the default) streams every line; JSON comes a page at a time.
              parameters:
                - $ref: "#/components/parameters/RequiredPeriod"
                - {name: format, in: query, schema: {type: string, enum: [json, csv], default: csv}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200":
                  description: Lines.
                  content:
                    text/csv: {schema: {type: string}}
                    application/json: {schema: {$ref: "#/components/schemas/InvoiceLinePage"}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/invoices/{id}:
            parameters:
              - {name: id, in: path, required: true, description: Invoice id (any other text is 404), schema: {type: integer, format: int64, minimum: 1}}
            get:
              summary: An invoice with its lines (billing).
              responses:
                "200": {description: The invoice., content: {application/json: {schema: {$ref: "#/components/schemas/Invoice"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
        \(quotaPaths)
        \(webhookPaths)
        components:
          securitySchemes:
            bearer: {type: http, scheme: bearer}
          parameters:
            Limit: {name: limit, in: query, description: Rows per page., schema: {type: integer, minimum: 1, maximum: 10000, default: 1000}}
            Cursor: {name: cursor, in: query, description: next_cursor of the previous page (opaque)., schema: {type: string, minLength: 1, maxLength: 4096, pattern: '^[A-Za-z0-9_-]+$'}}
            User: {name: user, in: query, description: One User-Name., schema: {type: string, maxLength: 253, pattern: '\(text)'}}
            From: {name: from, in: query, description: "Inclusive: YYYY-MM-DD[THH:MM[:SS]] in the tenant's zone, or with Z in UTC", schema: {type: string, pattern: '\(bound)'}}
            To: {name: to, in: query, description: Exclusive (same forms), schema: {type: string, pattern: '\(bound)'}}
            RequiredPeriod: {name: period, in: query, required: true, description: Billing period YYYY-MM., schema: {type: string, pattern: '\(period)'}}
            NASName: {name: name, in: path, required: true, description: NAS name (percent-encoded), schema: {type: string, minLength: 1, maxLength: 253, pattern: '\(text)'}}
            WebhookID: {name: id, in: path, required: true, description: Webhook endpoint id (any other text is 404), schema: {type: integer, format: int64, minimum: 1}}
            PlanName: {name: name, in: path, required: true, description: Plan name (percent-encoded), schema: {type: string, minLength: 1, maxLength: 253, pattern: '\(text)'}}
        \(quotaParameters)
          headers:
            RetryAfter: {description: Seconds after which to try again., schema: {type: integer, minimum: 1}}
          responses:
            Unauthorized: {description: No token or not a valid one., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Forbidden: {description: The token's role may not do this., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            NotFound: {description: No such object for this tenant., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Invalid: {description: "A field, query parameter or cursor is missing, unknown, of the wrong type or out of range (named in the message).", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Conflict: {description: Conflicts with existing data., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Timeout: {description: The request body did not arrive in time., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            TooLarge: {description: The request body is larger than 1 MiB., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Busy: {description: The tenant has too many requests in progress., headers: {Retry-After: {$ref: "#/components/headers/RetryAfter"}}, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
            Unavailable: {description: The database is unreachable or the query took too long., content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
          schemas:
            Error:
              type: object
              required: [error]
              properties: {error: {type: object, required: [code, message], properties: {code: {type: string}, message: {type: string}}}}
            NextCursor: {type: [string, "null"], description: Pass as cursor for the next page; null on the last page.}
            UserName: {type: string, minLength: 1, maxLength: 253, pattern: '\(text)'}
            PlanNameText: {type: string, minLength: 1, maxLength: 100, pattern: '\(text)'}
            Secret: {type: string, minLength: 1, maxLength: 128, pattern: '\(text)', writeOnly: true, description: "1-128 octets; one shorter than 12 octets is marked weak_secret"}
            Tenant:
              type: object
              required: [id, slug, name, currency, time_zone, billing_day, rounding_mode]
              properties: {id: {type: integer}, slug: {type: string}, name: {type: string}, currency: {type: string}, time_zone: {type: string}, billing_day: {type: integer}, rounding_mode: {type: string}}
            TenantPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/Tenant"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            TenantCreate:
              type: object
              additionalProperties: false
              required: [slug, name]
              description: A field that is null or left out takes its default.
              properties: {slug: {type: string, pattern: '^[a-z0-9][a-z0-9_-]{0,62}$'}, name: {type: string, minLength: 1, maxLength: 200, pattern: '\(text)'}, currency: {type: [string, "null"], pattern: '^[A-Z]{3}$', default: EUR}, time_zone: {anyOf: [{$ref: "#/components/schemas/TimeZone"}, {type: "null"}]}, billing_day: {type: [integer, "null"], minimum: 1, maximum: 28, default: 1}, rounding_mode: {type: [string, "null"], enum: [half-even, half-up, half-down, ceiling, floor, null], default: half-even}}
            TenantUpdate:
              type: object
              additionalProperties: false
              description: A field that is null or left out stays as it is.
              properties: {name: {type: [string, "null"], minLength: 1, maxLength: 200, pattern: '\(text)'}, currency: {type: [string, "null"], pattern: '^[A-Z]{3}$'}, time_zone: {anyOf: [{$ref: "#/components/schemas/TimeZone"}, {type: "null"}]}, billing_day: {type: [integer, "null"], minimum: 1, maximum: 28}, rounding_mode: {type: [string, "null"], enum: [half-even, half-up, half-down, ceiling, floor, null]}}
            TimeZone: {type: string, description: "An IANA time zone name the database knows (pg_timezone_names), e.g. Europe/Vienna; default UTC", enum: \(OpenAPIDocument.timeZonesPlaceholder)}
            NAS:
              type: object
              required: [id, tenant_id, name, listener, address, coa_port, vendor, has_coa_secret]
              properties: {id: {type: integer}, tenant_id: {type: integer}, name: {type: string}, listener: {type: string}, address: {type: string, description: CIDR}, identifier: {type: [string, "null"]}, weak_secret: {type: boolean, readOnly: true, description: The shared secret is shorter than 12 octets.}, require_message_authenticator: {type: boolean, description: Packets without a valid Message-Authenticator are dropped.}, coa_port: {$ref: "#/components/schemas/CoAPort"}, vendor: {$ref: "#/components/schemas/Vendor"}, has_coa_secret: {type: boolean, readOnly: true, description: "CoA and Disconnect requests use a secret of their own (coa_secret); false: they use the shared secret."}, weak_coa_secret: {type: boolean, readOnly: true, description: The CoA secret is shorter than 12 octets (false without one).}}
            NASPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/NAS"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            NASAddress:
              description: "An IPv4 or IPv6 address; a prefix (CIDR, host bits zero) of at least /16 (IPv4) or /48 (IPv6) is also taken."
              anyOf: [{type: string, format: ipv4}, {type: string, format: ipv6}]
            CoAPort: {type: integer, minimum: 1, maximum: 65535, description: "UDP port of the NAS's dynamic-authorization server (RFC 5176 CoA and Disconnect requests)."}
            Vendor: {type: string, minLength: 1, maxLength: 40, pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: "Vendor profile requests to the NAS are built from (Config/vendors/NAME.toml)."}
            CoASecret: {type: string, minLength: 1, maxLength: 128, pattern: '\(text)', writeOnly: true, description: "The secret of CoA and Disconnect requests, 1-128 octets; never returned. Without one they use the shared secret."}
            NASCreate:
              type: object
              additionalProperties: false
              required: [name, address, secret]
              properties: {name: {type: string, minLength: 1, maxLength: 200, pattern: '\(text)'}, address: {$ref: "#/components/schemas/NASAddress"}, secret: {$ref: "#/components/schemas/Secret"}, listener: {type: [string, "null"], pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', default: default}, identifier: {type: [string, "null"], minLength: 1, maxLength: 253, pattern: '\(text)'}, require_message_authenticator: {type: [boolean, "null"], default: false, description: null is the default (false).}, coa_port: {anyOf: [{$ref: "#/components/schemas/CoAPort"}, {type: "null"}], default: 3799, description: null is the default (3799).}, coa_secret: {anyOf: [{$ref: "#/components/schemas/CoASecret"}, {type: "null"}], description: "null or left out: requests use the shared secret."}, vendor: {anyOf: [{$ref: "#/components/schemas/Vendor"}, {type: "null"}], default: generic, description: null is the default (generic).}}
            NASUpdate:
              type: object
              additionalProperties: false
              description: A field left out (or null, but for identifier and coa_secret, where null removes it) stays as it is.
              properties: {address: {anyOf: [{$ref: "#/components/schemas/NASAddress"}, {type: "null"}]}, identifier: {type: [string, "null"], minLength: 1, maxLength: 253, pattern: '\(text)'}, listener: {type: [string, "null"], pattern: '^[a-z0-9][a-z0-9_-]{0,62}$'}, require_message_authenticator: {type: [boolean, "null"], description: null leaves it unchanged.}, coa_port: {anyOf: [{$ref: "#/components/schemas/CoAPort"}, {type: "null"}], description: null leaves it unchanged.}, coa_secret: {anyOf: [{$ref: "#/components/schemas/CoASecret"}, {type: "null"}], description: "null removes the CoA secret: requests use the shared secret again."}, vendor: {anyOf: [{$ref: "#/components/schemas/Vendor"}, {type: "null"}], description: null leaves it unchanged.}}
            Session:
              type: object
              required: [id, nas, user, session_id, nas_port, upload_bytes, download_bytes, session_seconds]
              properties: {id: {type: integer}, generation: {type: integer, description: "Which start of this session id the row is (a NAS that reuses an Acct-Session-Id starts a new generation); imported radacct sessions older than those the collector received of the same id are 0, -1, ..."}, nas: {type: string}, user: {type: string}, session_id: {type: string}, nas_port: {type: string}, started_at: {type: [string, "null"]}, last_update_at: {type: [string, "null"]}, stopped_at: {type: [string, "null"]}, close_reason: {type: [string, "null"]}, terminate_cause: {type: [integer, "null"]}, upload_bytes: {type: integer}, download_bytes: {type: integer}, session_seconds: {type: integer}, framed_ip_address: {type: [string, "null"]}}
            SessionPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/Session"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            Usage:
              type: object
              required: [subscriber, upload_bytes, download_bytes, session_seconds]
              properties: {subscriber: {type: string}, period: {type: [string, "null"], description: "YYYY-MM-DD HH:00, YYYY-MM-DD or YYYY-MM in the tenant's zone; null without by"}, upload_bytes: {type: integer}, download_bytes: {type: integer}, session_seconds: {type: integer}}
            UsagePage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/Usage"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            UsageTotalPage:
              type: object
              required: [items, next_cursor]
              properties: {items: {type: array, items: {type: object, required: [upload_bytes, download_bytes, session_seconds], properties: {period: {type: [string, "null"]}, upload_bytes: {type: integer}, download_bytes: {type: integer}, session_seconds: {type: integer}}}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}
            UnassignedPage:
              type: object
              required: [items, next_cursor]
              properties: {items: {type: array, items: {type: object, required: [user, upload_bytes, download_bytes], properties: {user: {type: string}, upload_bytes: {type: integer}, download_bytes: {type: integer}}}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}
            Decimal:
              description: Decimal text such as "0.50", or an integer.
              anyOf: [{type: string, pattern: '\(decimal)'}, {type: integer, minimum: 0, maximum: 999999999}]
            OptionalDecimal:
              description: A Decimal; null is the same as leaving it out.
              anyOf: [{$ref: "#/components/schemas/Decimal"}, {type: "null"}]
            Tier:
              type: object
              additionalProperties: false
              required: [price]
              properties: {price: {$ref: "#/components/schemas/Decimal"}}
            PlanTerms:
              description: "Keys as in Config/plans/README.md. overage none (no price, no tiers), per_unit (price) or graduated/volume (tiers: each up_to above the previous, the last without up_to; one open tier is shown here)"
              type: object
              required: [currency]
              properties:
                currency: {type: string, pattern: '^[A-Z]{3}$'}
                recurring_fee: {$ref: "#/components/schemas/OptionalDecimal"}
                unit: {type: [string, "null"], enum: [MB, GB, TB, MiB, GiB, TiB, null]}
                included: {$ref: "#/components/schemas/OptionalDecimal"}
                directions: {type: [string, "null"], enum: [download, upload, both, null]}
                increment: {anyOf: [{type: string, pattern: '^[1-9][0-9]{0,8}([.][0-9]{1,18})?$'}, {type: integer, minimum: 1, maximum: 999999999}, {type: "null"}]}
                usage_cap: {$ref: "#/components/schemas/OptionalDecimal"}
                tax_rate: {anyOf: [{type: string, pattern: '^(0([.][0-9]{1,18})?|1([.]0{1,18})?)$'}, {type: integer, minimum: 0, maximum: 1}, {type: "null"}]}
              oneOf:
                - properties: {overage: {enum: [none, null]}, price: {type: "null"}, tiers: {anyOf: [{type: "null"}, {type: array, maxItems: 0}]}}
                - properties: {overage: {const: per_unit}, price: {$ref: "#/components/schemas/Decimal"}, tiers: {anyOf: [{type: "null"}, {type: array, maxItems: 0}]}}
                  required: [overage, price]
                - properties: {overage: {enum: [graduated, volume]}, price: {type: "null"}, tiers: {type: array, minItems: 1, maxItems: 1, items: {$ref: "#/components/schemas/Tier"}}}
                  required: [overage, tiers]
            PlanCreate:
              allOf:
                - {$ref: "#/components/schemas/PlanTerms"}
                - type: object
                  required: [name]
                  properties: {name: {$ref: "#/components/schemas/PlanNameText"}, effective_from: {type: [string, "null"], format: date}}
                  additionalProperties: false
                  patternProperties: {'^(currency|recurring_fee|unit|included|directions|overage|price|increment|tiers|usage_cap|tax_rate)$': true}
            PlanVersionCreate:
              allOf:
                - {$ref: "#/components/schemas/PlanTerms"}
                - type: object
                  required: [effective_from]
                  properties: {name: {anyOf: [{$ref: "#/components/schemas/PlanNameText"}, {type: "null"}]}, effective_from: {type: string, format: date}}
                  additionalProperties: false
                  patternProperties: {'^(currency|recurring_fee|unit|included|directions|overage|price|increment|tiers|usage_cap|tax_rate)$': true}
            Plan:
              type: object
              required: [id, name, versions]
              properties: {id: {type: integer}, name: {type: string}, versions: {type: array, items: {type: object, required: [id, effective_from, terms], properties: {id: {type: integer}, effective_from: {type: string}, terms: {type: object}}}}}
            PlanPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/Plan"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            Subscriber:
              type: object
              required: [id, user, assignments]
              properties: {id: {type: integer}, user: {type: string}, assignments: {type: array, items: {type: object, required: [plan, starts_on], properties: {plan: {type: string}, starts_on: {type: string}, ends_on: {type: [string, "null"]}}}}}
            SubscriberPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/Subscriber"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            InvoiceRun:
              type: object
              properties: {period: {type: string}, rated_period: {type: string}, drafts: {type: integer}, finalized: {type: integer}, removed: {type: integer}, lines: {type: integer}, adjustment_lines: {type: integer}, currency: {type: string}, subtotal: {type: string}, tax: {type: string}, total: {type: string}, unassigned: {type: array, items: {type: object}}}
            InvoiceLine:
              type: object
              properties: {invoice_id: {type: integer}, user: {type: string}, period: {type: string}, status: {type: string}, currency: {type: string}, position: {type: integer}, kind: {type: string}, description: {type: string}, quantity: {type: string}, unit: {type: string}, unit_price: {type: string}, amount: {type: string}, tax_rate: {type: string}, tax: {type: string}, plan_version_id: {type: [integer, "null"]}, covers_from: {type: string}, covers_until: {type: string}, usage_bytes: {type: [integer, "null"]}, corrects_period: {type: [string, "null"]}}
            InvoiceLinePage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/InvoiceLine"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            Invoice:
              type: object
              properties: {id: {type: integer}, user: {type: string}, period: {type: string}, period_start: {type: string}, period_end: {type: string}, status: {type: string}, currency: {type: string}, subtotal: {type: string}, tax: {type: string}, total: {type: string}, rated_at: {type: string}, finalized_at: {type: [string, "null"]}, lines: {type: array, items: {$ref: "#/components/schemas/InvoiceLine"}}}
            InvoicePage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/Invoice"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
        \(quotaSchemas)
        \(webhookSchemas)

        """

    /// Stands in the document for the list of time zone names, which come from the database.
    static let timeZonesPlaceholder = "[TIME_ZONE_NAMES]"

    /// The document with the time zones the database knows.
    static func yaml(timeZones: [String]) -> String {
        let list = "[" + timeZones.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        return yaml.replacingOccurrences(of: timeZonesPlaceholder, with: list)
    }
}
