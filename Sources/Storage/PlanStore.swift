import Accounting
import Foundation
import Rating

/// Plans, their versions, subscribers and their plan assignments, all tenant-scoped.
public struct PlanStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Creates a plan with its first version, effective from `effectiveFrom` (default 1970-01-01:
    /// from the start, so assignments with any start date are priced). `audit` is recorded in
    /// the same transaction.
    public func createPlan(tenant: Tenant, name: String, terms: PlanTerms, effectiveFrom: CivilDate?, audit: AuditRecord? = nil) throws -> PlanRecord
    {
        try checkName(name)
        try checkCurrency(terms, tenant: tenant)
        return try connection.tenantTransaction(tenant.id) { connection in
            let id: Int64
            do {
                id = try connection.query(
                    "INSERT INTO plans (tenant_id, name) VALUES ($1, $2) RETURNING id",
                    [String(tenant.id), name]
                ).int64(row: 0, column: 0)
            } catch let error as PostgresError where error.sqlState == SQLState.uniqueViolation {
                throw StoreError(.conflict, "a plan named '\(name)' already exists: add a version with 'plan version add'")
            }
            try connection.query(
                "INSERT INTO plan_versions (tenant_id, plan_id, effective_from, terms) VALUES ($1, $2, $3, $4)",
                [String(tenant.id), String(id), (effectiveFrom ?? CivilDate(dayNumber: 0)).description, terms.canonicalJSON])
            try AuditLog(connection: connection).record(audit, tenant: tenant)
            return try Self.plans(connection, tenant: tenant, name: name)[0]
        }
    }

    /// Adds a version with new terms from `effectiveFrom`. A version from the same date as an
    /// earlier one replaces it from then on (the newest wins), which is how a plan is corrected.
    /// `audit` is recorded in the same transaction.
    public func addVersion(tenant: Tenant, plan name: String, terms: PlanTerms, effectiveFrom: CivilDate, audit: AuditRecord? = nil) throws
        -> PlanRecord
    {
        try checkCurrency(terms, tenant: tenant)
        return try connection.tenantTransaction(tenant.id) { connection in
            let plan = try Self.requirePlan(connection, tenant: tenant, name: name)
            try connection.query(
                "INSERT INTO plan_versions (tenant_id, plan_id, effective_from, terms) VALUES ($1, $2, $3, $4)",
                [String(tenant.id), String(plan.id), effectiveFrom.description, terms.canonicalJSON])
            try AuditLog(connection: connection).record(audit, tenant: tenant)
            return try Self.plans(connection, tenant: tenant, name: name)[0]
        }
    }

    public func plans(tenant: Tenant) throws -> [PlanRecord] {
        try connection.tenantTransaction(tenant.id) { try Self.plans($0, tenant: tenant, name: nil) }
    }

    /// Plans by name with all their versions, `limit` plans after name `after[0]`.
    public func planPage(tenant: Tenant, after: [String]?, limit: Int) throws -> KeysetPage<PlanRecord> {
        try PageLimit.check(limit)
        let after = try keyParts(after, 1)[0]
        let plans = try connection.tenantTransaction(tenant.id) { try Self.plans($0, tenant: tenant, name: nil, after: after, limit: limit + 1) }
        return KeysetPage(fetched: plans, limit: limit) { [$0.name] }
    }

    /// One plan version by id; not found for another tenant's.
    public func version(tenant: Tenant, id: Int64) throws -> PlanVersionRecord {
        try connection.tenantTransaction(tenant.id) { connection in
            let result = try connection.query(
                "SELECT p.name FROM plan_versions v JOIN plans p ON p.tenant_id = v.tenant_id AND p.id = v.plan_id WHERE v.tenant_id = $1 AND v.id = $2",
                [String(tenant.id), String(id)])
            guard let name = result.value(row: 0, column: 0),
                let version = try Self.plans(connection, tenant: tenant, name: name).first?.versions.first(where: { $0.id == id })
            else {
                throw StoreError(.notFound, "no plan version \(id)")
            }
            return version
        }
    }

    public func plan(tenant: Tenant, name: String) throws -> PlanRecord {
        try connection.tenantTransaction(tenant.id) { try Self.requirePlan($0, tenant: tenant, name: name) }
    }

    /// Puts a User-Name on a plan from a date. A known subscriber whose plans all ended before
    /// that date starts again; one still on a plan is refused (use `changePlan`).
    public func addSubscriber(tenant: Tenant, user: String, plan name: String, from: CivilDate) throws -> SubscriberRecord {
        guard !user.isEmpty, user.utf8.count <= 253, !user.contains("\0") else {
            throw StoreError(.invalid, "a User-Name must be 1-253 bytes without NUL")
        }
        return try connection.tenantTransaction(tenant.id) { connection in
            let plan = try Self.requirePlan(connection, tenant: tenant, name: name)
            try connection.query("INSERT INTO subscribers (tenant_id, user_name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [String(tenant.id), user])
            let subscriber = try Self.requireSubscriber(connection, tenant: tenant, user: user, lock: true)
            if let overlapping = subscriber.assignments.first(where: { $0.endsOn.map { from < $0 } ?? true }) {
                throw StoreError(
                    .conflict,
                    "subscriber '\(user)' is on plan '\(overlapping.planName)' from \(overlapping.startsOn)\(overlapping.endsOn.map { " until \($0)" } ?? ""): use 'subscriber change-plan'"
                )
            }
            try Self.insertAssignment(connection, tenant: tenant, subscriberID: subscriber.id, planID: plan.id, from: from, until: nil)
            return try Self.requireSubscriber(connection, tenant: tenant, user: user, lock: false)
        }
    }

    /// Moves a subscriber to another plan from `date` (the first day on the new plan).
    public func changePlan(tenant: Tenant, user: String, plan name: String, on date: CivilDate) throws -> SubscriberRecord {
        try connection.tenantTransaction(tenant.id) { connection in
            let plan = try Self.requirePlan(connection, tenant: tenant, name: name)
            let subscriber = try Self.requireSubscriber(connection, tenant: tenant, user: user, lock: true)
            guard let current = subscriber.assignment(on: date) else {
                throw StoreError(.conflict, "subscriber '\(user)' is on no plan on \(date): use 'subscriber add'")
            }
            guard current.planID != plan.id else { throw StoreError(.conflict, "subscriber '\(user)' is already on plan '\(name)' on \(date)") }
            if current.startsOn == date {
                try connection.query("DELETE FROM plan_assignments WHERE tenant_id = $1 AND id = $2", [String(tenant.id), String(current.id)])
            } else {
                try connection.query(
                    "UPDATE plan_assignments SET ends_on = $3 WHERE tenant_id = $1 AND id = $2",
                    [String(tenant.id), String(current.id), date.description])
            }
            try Self.insertAssignment(connection, tenant: tenant, subscriberID: subscriber.id, planID: plan.id, from: date, until: current.endsOn)
            return try Self.requireSubscriber(connection, tenant: tenant, user: user, lock: false)
        }
    }

    /// Ends a subscriber's plan: `date` is the first day no longer billed.
    public func endSubscription(tenant: Tenant, user: String, on date: CivilDate) throws -> SubscriberRecord {
        try connection.tenantTransaction(tenant.id) { connection in
            let subscriber = try Self.requireSubscriber(connection, tenant: tenant, user: user, lock: true)
            guard let current = subscriber.assignment(on: date.adding(days: -1)) else {
                throw StoreError(.conflict, "subscriber '\(user)' is on no plan on \(date.adding(days: -1)), so nothing ends on \(date)")
            }
            try connection.query(
                "UPDATE plan_assignments SET ends_on = $3 WHERE tenant_id = $1 AND id = $2",
                [String(tenant.id), String(current.id), date.description])
            return try Self.requireSubscriber(connection, tenant: tenant, user: user, lock: false)
        }
    }

    public func subscribers(tenant: Tenant, user: String? = nil) throws -> [SubscriberRecord] {
        try connection.tenantTransaction(tenant.id) { try Self.subscribers($0, tenant: tenant, user: user) }
    }

    /// Subscribers by User-Name with their assignments, `limit` after User-Name `after[0]`.
    public func subscriberPage(tenant: Tenant, user: String? = nil, after: [String]?, limit: Int) throws -> KeysetPage<SubscriberRecord> {
        try PageLimit.check(limit)
        let after = try keyParts(after, 1)[0]
        let subscribers = try connection.tenantTransaction(tenant.id) {
            try Self.subscribers($0, tenant: tenant, user: user, after: after, limit: limit + 1)
        }
        return KeysetPage(fetched: subscribers, limit: limit) { [$0.userName] }
    }

    // MARK: - Inside a tenant transaction

    /// Plans by name (one, or `limit` after `after`) with their versions.
    static func plans(_ connection: PostgresConnection, tenant: Tenant, name: String?, after: String? = nil, limit: Int? = nil) throws -> [PlanRecord]
    {
        let result = try connection.query(
            """
            SELECT p.id AS plan_id, p.name, v.id AS version_id, v.effective_from, v.terms
            FROM (SELECT id, name, tenant_id FROM plans
                  WHERE tenant_id = $1 AND ($2::text IS NULL OR name = $2) AND ($3::text IS NULL OR name > $3)
                  ORDER BY name LIMIT $4) p
            JOIN plan_versions v ON v.tenant_id = p.tenant_id AND v.plan_id = p.id
            ORDER BY p.name, v.effective_from, v.id
            """, [String(tenant.id), name, after, limit.map(String.init)])
        return try parsePlans(result)
    }

    /// The plans of `names` (at most 100) with their versions.
    static func plans(_ connection: PostgresConnection, tenant: Tenant, names: [String]) throws -> [PlanRecord] {
        var list = ArrayParameter()
        for name in names.prefix(100) { list.append(name) }
        return try parsePlans(
            try connection.query(
                """
                SELECT p.id AS plan_id, p.name, v.id AS version_id, v.effective_from, v.terms
                FROM (SELECT id, name, tenant_id FROM plans WHERE tenant_id = $1 AND name = ANY($2::text[]) ORDER BY name LIMIT 100) p
                JOIN plan_versions v ON v.tenant_id = p.tenant_id AND v.plan_id = p.id
                ORDER BY p.name, v.effective_from, v.id
                """, [String(tenant.id), list.literal]))
    }

    /// Rows of (plan_id, name, version_id, effective_from, terms) in plan order.
    static func parsePlans(_ result: PostgresResult) throws -> [PlanRecord] {
        let planIDColumn = try result.column("plan_id")
        let name = try result.column("name")
        let versionID = try result.column("version_id")
        let effectiveFrom = try result.column("effective_from")
        let termsColumn = try result.column("terms")
        var plans: [PlanRecord] = []
        for row in 0..<result.rowCount {
            let planID = result.int64(row: row, column: planIDColumn)
            let planName = result.value(row: row, column: name) ?? ""
            let terms: PlanTerms
            do {
                terms = try PlanDocument.parse(json: Data((result.value(row: row, column: termsColumn) ?? "").utf8)).terms
            } catch {
                throw PostgresError(.result, message: "stored terms of plan '\(planName)' do not parse: \(error)")
            }
            guard let from = CivilDate(result.value(row: row, column: effectiveFrom) ?? "") else {
                throw PostgresError(.result, message: "plan version without a date")
            }
            let version = PlanVersionRecord(
                id: result.int64(row: row, column: versionID), planID: planID, planName: planName,
                effectiveFrom: from, terms: terms)
            if plans.last?.id == planID {
                plans[plans.count - 1].versions.append(version)
            } else {
                plans.append(PlanRecord(id: planID, name: planName, versions: [version]))
            }
        }
        return plans
    }

    static func requirePlan(_ connection: PostgresConnection, tenant: Tenant, name: String) throws -> PlanRecord {
        guard let plan = try plans(connection, tenant: tenant, name: name).first else { throw StoreError(.notFound, "no plan '\(name)'") }
        return plan
    }

    /// Subscribers by User-Name (one, or `limit` after `after`) with their assignments.
    static func subscribers(
        _ connection: PostgresConnection, tenant: Tenant, user: String?, lock: Bool = false,
        after: String? = nil, limit: Int? = nil
    ) throws -> [SubscriberRecord] {
        if lock, let user {
            try connection.query("SELECT 1 FROM subscribers WHERE tenant_id = $1 AND user_name = $2 FOR UPDATE", [String(tenant.id), user])
        }
        let result = try connection.query(
            """
            SELECT s.id, s.user_name, a.id AS assignment_id, a.plan_id, p.name AS plan_name, a.starts_on, a.ends_on
            FROM (SELECT id, user_name, tenant_id FROM subscribers
                  WHERE tenant_id = $1 AND ($2::text IS NULL OR user_name = $2) AND ($3::text IS NULL OR user_name > $3)
                  ORDER BY user_name LIMIT $4) s
            LEFT JOIN plan_assignments a ON a.tenant_id = s.tenant_id AND a.subscriber_id = s.id
            LEFT JOIN plans p ON p.tenant_id = a.tenant_id AND p.id = a.plan_id
            ORDER BY s.user_name, a.starts_on, a.id
            """, [String(tenant.id), user, after, limit.map(String.init)])
        let idColumn = try result.column("id")
        let userName = try result.column("user_name")
        let assignmentID = try result.column("assignment_id")
        let planID = try result.column("plan_id")
        let planName = try result.column("plan_name")
        let startsOn = try result.column("starts_on")
        let endsOn = try result.column("ends_on")
        var subscribers: [SubscriberRecord] = []
        for row in 0..<result.rowCount {
            let id = result.int64(row: row, column: idColumn)
            if subscribers.last?.id != id {
                subscribers.append(SubscriberRecord(id: id, userName: result.value(row: row, column: userName) ?? "", assignments: []))
            }
            guard result.value(row: row, column: assignmentID) != nil else { continue }
            guard let start = CivilDate(result.value(row: row, column: startsOn) ?? "") else {
                throw PostgresError(.result, message: "an assignment's start date does not read back as YYYY-MM-DD")
            }
            subscribers[subscribers.count - 1].assignments.append(
                AssignmentRecord(
                    id: result.int64(row: row, column: assignmentID), planID: result.int64(row: row, column: planID),
                    planName: result.value(row: row, column: planName) ?? "", startsOn: start,
                    endsOn: result.value(row: row, column: endsOn).flatMap { CivilDate($0) }))
        }
        return subscribers
    }

    static func requireSubscriber(_ connection: PostgresConnection, tenant: Tenant, user: String, lock: Bool) throws -> SubscriberRecord {
        guard let subscriber = try subscribers(connection, tenant: tenant, user: user, lock: lock).first else {
            throw StoreError(.notFound, "no subscriber '\(user)'")
        }
        return subscriber
    }

    static func insertAssignment(
        _ connection: PostgresConnection, tenant: Tenant, subscriberID: Int64, planID: Int64, from: CivilDate, until: CivilDate?
    ) throws {
        try connection.query(
            """
            INSERT INTO plan_assignments (tenant_id, subscriber_id, plan_id, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5)
            """, [String(tenant.id), String(subscriberID), String(planID), from.description, until?.description])
    }

    func checkName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 100, !name.contains("\0") else { throw StoreError(.invalid, "a plan name must be 1-100 characters") }
    }

    /// A plan in another currency than the tenant's conflicts with the tenant (a well-formed
    /// code, but not the one its invoices are in).
    func checkCurrency(_ terms: PlanTerms, tenant: Tenant) throws {
        guard terms.currency == tenant.currency else {
            throw StoreError(
                .conflict,
                "currency: the plan is in \(terms.currency) but tenant '\(tenant.slug)' bills in \(tenant.currency); one invoice has one currency")
        }
    }
}
