import Foundation
import Storage

/// The first column of the first row of `sql` as a whole number (0 when NULL).
public func count(_ connection: PostgresConnection, _ sql: String) throws -> Int {
    Int(try connection.query(sql).value(row: 0, column: 0) ?? "0") ?? 0
}

/// Polls `condition` every 20 ms until it holds or `seconds` have passed; its last answer.
public func waitUntil(seconds: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
