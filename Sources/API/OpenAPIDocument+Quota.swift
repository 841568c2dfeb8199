extension OpenAPIDocument {
    /// A top-up amount as the server takes it: above zero, with a unit, below 10^5 TiB.
    static let amount = "^([1-9][0-9]{0,4}([.][0-9]{1,9})?|0[.][0-9]{0,8}[1-9][0-9]{0,8}) ?(B|MB|GB|TB|MiB|GiB|TiB)$"

    static let quotaPaths = """
          /v1/subscribers/{user}/quota:
            parameters:
              - $ref: "#/components/parameters/SubscriberUser"
            get:
              summary: "The subscriber's quota for the current billing cycle: counted usage (as rating counts it), the allowance with top-ups, every threshold of the plan's policies and whether it was crossed, and the lasting restriction if any (billing, operator, readonly)."
              responses:
                "200": {description: The quota., content: {application/json: {schema: {$ref: "#/components/schemas/Quota"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/subscribers/{user}/top-ups:
            parameters:
              - $ref: "#/components/parameters/SubscriberUser"
            get:
              summary: The subscriber's top-ups of the current billing cycle (billing, operator, readonly).
              responses:
                "200": {description: The top-ups (one page)., content: {application/json: {schema: {$ref: "#/components/schemas/TopUpPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
            post:
              summary: "Grant extra allowance for the current billing cycle (billing). It moves the cycle's thresholds up by the amount and lifts a throttle or block: a CoA restoring the plan's rate goes to each live session."
              requestBody:
                required: true
                content: {application/json: {schema: {type: object, additionalProperties: false, required: [amount], properties: {amount: {type: string, pattern: '\(amount)', description: "e.g. 10 GB"}, note: {type: [string, "null"], maxLength: 500, pattern: '\(text)'}}}}}
              responses:
                "201": {description: Granted., content: {application/json: {schema: {$ref: "#/components/schemas/TopUp"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "404": {$ref: "#/components/responses/NotFound"}
                "408": {$ref: "#/components/responses/Timeout"}
                "413": {$ref: "#/components/responses/TooLarge"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
          /v1/enforcement:
            get:
              summary: "The enforcement log, newest first: every CoA and Disconnect request, why it was sent, and its outcome (ACK, NAK with Error-Cause, timeout) (billing, operator, readonly)."
              parameters:
                - $ref: "#/components/parameters/User"
                - {name: status, in: query, schema: {type: string, enum: [pending, acked, naked, timeout, failed]}}
                - $ref: "#/components/parameters/Limit"
                - $ref: "#/components/parameters/Cursor"
              responses:
                "200": {description: A page of requests., content: {application/json: {schema: {$ref: "#/components/schemas/EnforcementPage"}}}}
                "400": {$ref: "#/components/responses/Invalid"}
                "401": {$ref: "#/components/responses/Unauthorized"}
                "403": {$ref: "#/components/responses/Forbidden"}
                "429": {$ref: "#/components/responses/Busy"}
                "503": {$ref: "#/components/responses/Unavailable"}
        """

    static let quotaParameters = """
            SubscriberUser: {name: user, in: path, required: true, description: User-Name (percent-encoded), schema: {type: string, minLength: 1, maxLength: 253, pattern: '\(text)'}}
        """

    static let quotaSchemas = """
            TopUp:
              type: object
              required: [id, user, period, bytes, created_at]
              properties: {id: {type: integer}, user: {type: string}, period: {type: string}, bytes: {type: integer}, note: {type: [string, "null"]}, created_at: {type: string}, restores: {type: integer, description: Restore requests recorded (only in the answer that granted it).}}
            TopUpPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/TopUp"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
            Quota:
              type: object
              required: [user, cycle, allowance_bytes, used_bytes, state, thresholds, top_ups]
              properties:
                user: {type: string}
                plan: {type: [string, "null"], description: The plan in force today; null when none is.}
                plan_version_id: {type: [integer, "null"]}
                cycle: {type: string, description: The billing cycle (YYYY-MM).}
                segment_from: {type: [string, "null"], description: First day of the cycle this plan version covers.}
                segment_until: {type: [string, "null"], description: Last day of the cycle this plan version covers.}
                allowance_bytes: {type: integer, description: The prorated allowance plus top-ups.}
                used_bytes: {type: integer, description: Counted bytes (the plan's directions and time-of-day factors).}
                state: {type: string, enum: [normal, throttled, blocked]}
                restriction: {type: [object, "null"], properties: {action: {type: string}, rate: {type: [string, "null"]}, period: {type: string}, period_key: {type: string}, since: {type: string}}}
                thresholds:
                  type: array
                  items:
                    type: object
                    required: [index, at, action, period, period_key, threshold_bytes, used_bytes, crossed]
                    properties: {index: {type: integer}, at: {type: string}, action: {type: string, enum: [notify, throttle, block, disconnect]}, period: {type: string, enum: [cycle, day, week]}, period_key: {type: string}, rate: {type: [string, "null"]}, fallback: {type: [string, "null"]}, threshold_bytes: {type: integer}, used_bytes: {type: integer}, crossed: {type: boolean}, crossed_at: {type: [string, "null"]}}
                top_ups: {type: array, items: {$ref: "#/components/schemas/TopUp"}}
            EnforcementRequest:
              type: object
              required: [id, user, action, reason, status, attempts, nas_id, session_id, acct_session_id, decided_at]
              properties: {id: {type: integer}, user: {type: string}, action: {type: string, enum: [throttle, block, restore, disconnect]}, reason: {type: string, enum: [crossing, reconnect, top-up, new-period, fallback]}, status: {type: string, enum: [pending, acked, naked, timeout, failed]}, attempts: {type: integer}, error_cause: {type: [integer, "null"]}, detail: {type: [string, "null"]}, rate: {type: [string, "null"]}, nas: {type: [string, "null"]}, nas_id: {type: integer}, session_id: {type: integer}, acct_session_id: {type: string}, framed_ip_address: {type: [string, "null"]}, crossing_id: {type: [integer, "null"]}, decided_at: {type: string}, completed_at: {type: [string, "null"]}}
            EnforcementPage: {type: object, required: [items, next_cursor], properties: {items: {type: array, items: {$ref: "#/components/schemas/EnforcementRequest"}}, next_cursor: {$ref: "#/components/schemas/NextCursor"}}}
        """
}
