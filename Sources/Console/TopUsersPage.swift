import Foundation
import Hummingbird
import Rating
import Storage
import TabularText

/// The subscribers who used the most in a billing period, by direction, with a CSV of the
/// same ranking.
struct TopUsersPage: Sendable {
    struct Row: Sendable {
        var rank: Int
        var user: String
        var href: String
        var upload: UsageFormat.Bytes
        var download: UsageFormat.Bytes
        var total: UsageFormat.Bytes
    }

    struct Option: Sendable {
        var value: String
        var selected: Bool
    }

    var period: String
    var first: String
    var last: String
    var directions: [Option]
    var limit: Int
    var rows: [Row]
    var empty: Bool
    var csv: String

    /// The ranking a query asks for: its period, direction and length.
    struct Ranking {
        var period: BillingPeriod
        var direction: ReportStore.UsageRanking
        var limit: Int

        init(_ query: PageQuery, tenant: Tenant) throws {
            period = try TollgateConsole.period(try query.text("period", maxLength: 7), tenant: tenant)
            direction = try query.choice("direction", ReportStore.UsageRanking.total)
            limit = try query.limit()
        }

        func rows(_ connection: PostgresConnection, tenant: Tenant) throws -> [UsageRow] {
            try ReportStore(connection: connection).topPage(
                tenant: tenant, from: period.first.description, to: period.end.description,
                by: direction, after: nil, limit: limit
            ).rows
        }
    }
}

extension TollgateConsole {
    static func topUsers(_ viewer: Viewer, _ query: PageQuery, _ connection: PostgresConnection) throws -> PageView {
        let tenant = try viewer.tenant()
        let ranking = try TopUsersPage.Ranking(query, tenant: tenant)
        let rows = try ranking.rows(connection, tenant: tenant).enumerated().map { index, row in
            TopUsersPage.Row(
                rank: index + 1, user: row.subscriber, href: subscriberPath(row.subscriber), upload: .init(row.uploadBytes),
                download: .init(row.downloadBytes), total: .init(row.uploadBytes &+ row.downloadBytes))
        }
        let csv = PageQuery(
            path: "/console/top-users.csv",
            values: [
                ("period", ranking.period.description),
                ("direction", ranking.direction.rawValue), ("limit", String(ranking.limit)),
            ]
        ).link([:])
        let data = TopUsersPage(
            period: ranking.period.description, first: ranking.period.first.description,
            last: ranking.period.end.adding(days: -1).description,
            directions: ["total", "upload", "download"].map { .init(value: $0, selected: $0 == ranking.direction.rawValue) },
            limit: ranking.limit, rows: rows, empty: rows.isEmpty, csv: csv)
        return PageView(title: "Top users", template: "usage-top-users", data: data)
    }

    /// The ranking as CSV: rank, user, upload, download, total bytes (user names made safe
    /// for spreadsheets).
    static func topUsersCSV(_ viewer: Viewer, _ query: PageQuery, _ connection: PostgresConnection) throws -> Response {
        let tenant = try viewer.tenant()
        let ranking = try TopUsersPage.Ranking(query, tenant: tenant)
        var text = "rank,user,upload_bytes,download_bytes,total_bytes\r\n"
        for (index, row) in try ranking.rows(connection, tenant: tenant).enumerated() {
            text += "\(index + 1),\(CSV.field(row.subscriber)),\(row.uploadBytes),\(row.downloadBytes),\(row.uploadBytes &+ row.downloadBytes)\r\n"
        }
        let name = "top-users-\(tenant.slug)-\(ranking.period)-\(ranking.direction.rawValue).csv"
        return Response(
            status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
