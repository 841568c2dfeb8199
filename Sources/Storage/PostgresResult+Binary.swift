import CLibPQ

extension PostgresResult {
    /// Whether a field is NULL.
    public func isNull(row: Int, column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    /// A `bigint` field of a binary result (0 for NULL).
    public func binaryInt64(row: Int, column: Int) -> Int64 {
        guard !isNull(row: row, column: column), let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else { return 0 }
        return Int64(bigEndian: UnsafeRawPointer(pointer).loadUnaligned(as: Int64.self))
    }

    /// A `timestamptz` field of a binary result, microseconds since the Unix epoch.
    public func binaryTimestamp(row: Int, column: Int) -> Int64 {
        binaryInt64(row: row, column: column) + BinaryCopyRows.postgresEpochMicroseconds
    }

    /// A `bytea` (or `text`) field of a binary result, copied out.
    public func binaryBytes(row: Int, column: Int) -> [UInt8] {
        guard !isNull(row: row, column: column), let pointer = PQgetvalue(handle, Int32(row), Int32(column)) else { return [] }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }
}
