/// The rows of a CSV export with a header row (RFC 4180), read in constant memory.
///
/// Written by `psql \copy ... CSV HEADER`, MySQL `SELECT ... INTO OUTFILE` and spreadsheet
/// or admin-tool exports: fields may be quoted (doubled quotes inside, commas and newlines
/// allowed), lines end in LF or CRLF, and a UTF-8 byte order mark is ignored. NULL is an
/// unquoted empty field (psql) or an unquoted `\N` or `NULL` (MySQL); a quoted empty
/// field `""` is the empty string.
public struct CSVTableReader: RadacctTableReader {
    public private(set) var columns: [String] = []

    private var input: ByteInput
    private let delimiter: UInt8
    private var headerRead = false
    private var scratch: [UInt8] = []

    /// Reads the CSV file at `path`; `delimiter` is `,` unless the export used `;` or a tab.
    public init(path: String, delimiter: Character = ",", chunkSize: Int = 64 * 1024) throws(RadacctSourceError) {
        self.delimiter = try CSVTableReader.delimiterByte(delimiter)
        input = ByteInput(source: try ByteSource(path: path), chunkSize: chunkSize)
    }

    /// Reads CSV held in memory.
    public init(bytes: [UInt8], delimiter: Character = ",", chunkSize: Int = 64 * 1024) throws(RadacctSourceError) {
        self.delimiter = try CSVTableReader.delimiterByte(delimiter)
        input = ByteInput(source: ByteSource(bytes: bytes), chunkSize: chunkSize)
    }

    /// Reads CSV held in a string.
    public init(string: String, delimiter: Character = ",", chunkSize: Int = 64 * 1024) throws(RadacctSourceError) {
        try self.init(bytes: Array(string.utf8), delimiter: delimiter, chunkSize: chunkSize)
    }

    /// The bytes of input held at once, which stays at the chunk size whatever the file.
    var inputBufferCapacity: Int { input.bufferCapacity }

    private static func delimiterByte(_ delimiter: Character) throws(RadacctSourceError) -> UInt8 {
        guard let ascii = delimiter.asciiValue, ascii != quote, ascii != newline, ascii != carriageReturn else {
            throw RadacctSourceError(
                line: 0, "the CSV delimiter must be one ASCII character other than a quote or a line break, such as , ; or a tab")
        }
        return ascii
    }

    public mutating func next() throws(RadacctSourceError) -> [String?]? {
        if !headerRead { try readHeader() }
        while true {
            let line = input.line
            guard let fields = try readRecord() else { return nil }
            // A blank line between records is not a row of one NULL column.
            if fields.count == 1, fields[0] == nil, columns.count > 1 { continue }
            guard fields.count == columns.count else {
                throw RadacctSourceError(
                    line: line, "this record has \(fields.count) fields but the header names \(columns.count) columns")
            }
            return fields
        }
    }

    private mutating func readHeader() throws(RadacctSourceError) {
        headerRead = true
        if try input.peek() == 0xEF, try input.peek(at: 1) == 0xBB, try input.peek(at: 2) == 0xBF {
            input.skip()
            input.skip()
            input.skip()
        }
        guard let names = try readRecord() else {
            throw RadacctSourceError(line: 1, "the CSV file is empty; it needs a header row naming the columns")
        }
        columns = names.map { $0 ?? "" }
        if let blank = columns.firstIndex(where: { $0.isEmpty }) {
            throw RadacctSourceError(line: 1, "column \(blank + 1) of the CSV header has no name")
        }
    }

    /// The fields of the next record, or nil at the end of the source.
    private mutating func readRecord() throws(RadacctSourceError) -> [String?]? {
        guard try input.peek() != nil else { return nil }
        var fields: [String?] = []
        fields.reserveCapacity(columns.count)
        let delimiter = self.delimiter
        while true {
            var ended: Bool
            if try input.peek() == quote {
                let line = input.line
                input.skip()
                scratch.removeAll(keepingCapacity: true)
                while true {
                    guard try input.append(to: &scratch, until: { $0 == quote }) != nil else {
                        throw RadacctSourceError(line: line, "the quoted field starting at line \(line) is not closed before the end of the file")
                    }
                    input.skip()
                    guard try input.peek() == quote else { break }
                    input.skip()
                    scratch.append(quote)
                }
                fields.append(String(repairingUTF8: scratch))
                switch try input.peek() {
                case nil: ended = true
                case delimiter: ended = false
                case newline, carriageReturn: ended = true
                default:
                    throw RadacctSourceError(line: input.line, "unexpected text after a closing quote; quotes inside a field must be doubled")
                }
            } else {
                scratch.removeAll(keepingCapacity: true)
                let stop = try input.append(to: &scratch, until: { $0 == delimiter || $0 == newline || $0 == carriageReturn })
                ended = stop != delimiter
                fields.append(CSVTableReader.unquoted(scratch))
            }
            if !ended {
                input.skip()
                continue
            }
            try skipLineEnd()
            return fields
        }
    }

    /// An unquoted field: empty, `\N` and `NULL` are SQL NULL.
    private static func unquoted(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 0: return nil
        case 2 where bytes[0] == backslash && bytes[1] == 0x4E: return nil
        case 4 where bytes == nullWord: return nil
        default: return String(repairingUTF8: bytes)
        }
    }

    /// Consumes a line end (LF, CRLF or a lone CR) if one comes next.
    private mutating func skipLineEnd() throws(RadacctSourceError) {
        if try input.peek() == carriageReturn { input.skip() }
        if try input.peek() == newline { input.skip() }
    }
}

private let quote: UInt8 = 0x22
private let newline: UInt8 = 0x0A
private let carriageReturn: UInt8 = 0x0D
private let backslash: UInt8 = 0x5C
private let nullWord: [UInt8] = Array("NULL".utf8)
