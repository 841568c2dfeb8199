import CLibPQ
import Glibc

/// The rows of one statement, read as text. Owns the libpq result and frees it.
public final class PostgresResult {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { PQclear(handle) }

    public var rowCount: Int { Int(PQntuples(handle)) }
    public var columnCount: Int { Int(PQnfields(handle)) }

    /// Rows changed by an INSERT, UPDATE, DELETE or COPY.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    /// The text of one field, nil for NULL.
    public func value(row: Int, column: Int) -> String? {
        guard row < rowCount, column < columnCount else { return nil }
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return nil }
        return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
    }

    /// An integer field parsed in place (no String made): for large result sets. 0 for NULL.
    public func int64(row: Int, column: Int) -> Int64 {
        guard let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else { return 0 }
        var p = UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self)
        var negative = false
        if p.pointee == UInt8(ascii: "-") {
            negative = true
            p += 1
        }
        var value: Int64 = 0
        while p.pointee >= UInt8(ascii: "0"), p.pointee <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(p.pointee - UInt8(ascii: "0"))
            p += 1
        }
        return negative ? -value : value
    }

    /// Whether a text field equals the same field of another row, compared without making Strings.
    public func sameText(row: Int, column: Int, asRow other: Int) -> Bool {
        guard let a = PQgetvalue(handle, Int32(row), Int32(column)), let b = PQgetvalue(handle, Int32(other), Int32(column)) else { return false }
        return strcmp(a, b) == 0
    }

    /// Every row as an array of optional texts.
    public var rows: [[String?]] {
        (0..<rowCount).map { row in (0..<columnCount).map { value(row: row, column: $0) } }
    }
}
