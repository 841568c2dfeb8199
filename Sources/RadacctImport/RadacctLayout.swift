/// Where each radacct field is in a source's rows, found by column name.
///
/// FreeRADIUS's radacct changed over the years: 1.x spells its columns in CamelCase
/// (`AcctSessionId`, `NASIPAddress`) and has `AcctStartDelay`; 2.x lowercases them; 3.x adds
/// `acctupdatetime` and `acctinterval`, 3.2 `class` and the IPv6 columns. Names are compared
/// without case, so one table of names covers every layout; some installations add
/// `acctinputgigawords` / `acctoutputgigawords` (older layouts kept the wrapped 32-bit counter
/// in the octets column and the wraps apart) or `nasidentifier`.
public struct RadacctLayout: Sendable, Equatable {
    /// The fields the import reads.
    public enum Field: String, CaseIterable, Sendable {
        case radacctID = "radacctid"
        case sessionID = "acctsessionid"
        case uniqueID = "acctuniqueid"
        case userName = "username"
        case nasAddress = "nasipaddress"
        case nasIdentifier = "nasidentifier"
        case nasPortID = "nasportid"
        case startTime = "acctstarttime"
        case updateTime = "acctupdatetime"
        case stopTime = "acctstoptime"
        case interval = "acctinterval"
        case sessionTime = "acctsessiontime"
        case inputOctets = "acctinputoctets"
        case outputOctets = "acctoutputoctets"
        case inputGigawords = "acctinputgigawords"
        case outputGigawords = "acctoutputgigawords"
        case calledStation = "calledstationid"
        case callingStation = "callingstationid"
        case terminateCause = "acctterminatecause"
        case framedAddress = "framedipaddress"
        case `class` = "class"
    }

    /// The schema generation the columns show.
    public enum Generation: String, Sendable {
        /// CamelCase names and `AcctStartDelay` (FreeRADIUS 1.x).
        case v1 = "FreeRADIUS 1.x"
        /// Lower-case names without `acctupdatetime` (FreeRADIUS 2.x).
        case v2 = "FreeRADIUS 2.x"
        /// `acctupdatetime` (FreeRADIUS 3.x).
        case v3 = "FreeRADIUS 3.x"
    }

    /// The fields without which a row cannot become a session.
    public static let required: [Field] = [.sessionID, .userName, .nasAddress, .startTime, .stopTime, .inputOctets, .outputOctets]

    /// Index of each field in a row, when the source has it.
    public let indexes: [Field: Int]
    public let generation: Generation
    /// The source's column names, as given.
    public let columns: [String]

    /// The layout of `columns`; throws when a required field is missing (or named twice).
    public init(columns: [String]) throws(RadacctLayoutError) {
        var indexes: [Field: Int] = [:]
        var seen: Set<String> = []
        for (index, name) in columns.enumerated() {
            let lowered = name.lowercased()
            guard seen.insert(lowered).inserted else { throw RadacctLayoutError(message: "column \(name) is named twice") }
            if let field = Field(rawValue: lowered) { indexes[field] = index }
        }
        let missing = Self.required.filter { indexes[$0] == nil }
        guard missing.isEmpty else {
            throw RadacctLayoutError(
                message: "not a radacct table: no column " + missing.map(\.rawValue).joined(separator: ", ")
                    + " (columns: " + columns.joined(separator: ", ") + ")")
        }
        self.indexes = indexes
        self.columns = columns
        if indexes[.updateTime] != nil {
            generation = .v3
        } else if columns.contains(where: { $0 == "AcctSessionId" || $0 == "NASIPAddress" }) {
            generation = .v1
        } else {
            generation = .v2
        }
    }

    /// The value of `field` in `row`: nil when the row has NULL there or the source has no such column.
    @inline(__always)
    public func value(_ field: Field, in row: [String?]) -> String? {
        guard let index = indexes[field], index < row.count else { return nil }
        return row[index]
    }

    /// Whether the source has `field` at all.
    public func has(_ field: Field) -> Bool { indexes[field] != nil }
}

/// Columns that do not make a radacct table.
public struct RadacctLayoutError: Error, Equatable, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
