/// The rows of one table in a mysqldump file (or any MySQL script), read statement by
/// statement in constant memory.
///
/// Columns come from the table's `CREATE TABLE`, or from an INSERT's own column list.
/// Every other statement, comment and table is skipped by a tokenizer that respects
/// strings, quoted names and comments, so data of other tables cannot be mistaken for rows.
public struct MySQLDumpReader: RadacctTableReader {
    public private(set) var columns: [String] = []

    private enum State {
        /// Between statements.
        case statements
        /// After `VALUES` or a `,`: a row comes next.
        case rowExpected
        /// After a row: a `,`, the end of the statement or `ON DUPLICATE KEY UPDATE`.
        case afterRow
    }

    private var input: ByteInput
    private let table: String
    private var state = State.statements
    private var delimiter: [UInt8] = [semicolon]
    /// The columns of the table's `CREATE TABLE`, once seen.
    private var declaredColumns: [String]?
    /// Whether a row has been returned, fixing `columns` for the rest of the source.
    private var columnsFixed = false
    /// For the current INSERT, where each of its values goes in a row; nil when in order.
    private var placement: [Int]?
    private var valueCount = 0
    private var scratch: [UInt8] = []

    /// Reads the dump at `path`; `table` is compared without case and backquotes.
    public init(path: String, table: String = "radacct", chunkSize: Int = 64 * 1024) throws(RadacctSourceError) {
        input = ByteInput(source: try ByteSource(path: path), chunkSize: chunkSize)
        self.table = MySQLDumpReader.comparable(table)
    }

    /// Reads a dump held in memory.
    public init(bytes: [UInt8], table: String = "radacct", chunkSize: Int = 64 * 1024) {
        input = ByteInput(source: ByteSource(bytes: bytes), chunkSize: chunkSize)
        self.table = MySQLDumpReader.comparable(table)
    }

    /// Reads a dump held in a string.
    public init(string: String, table: String = "radacct", chunkSize: Int = 64 * 1024) {
        self.init(bytes: Array(string.utf8), table: table, chunkSize: chunkSize)
    }

    /// A table name as names in the dump are compared: without backquotes, in lower case.
    private static func comparable(_ table: String) -> String {
        String(table.filter { $0 != "`" }).lowercased()
    }

    public mutating func next() throws(RadacctSourceError) -> [String?]? {
        while true {
            switch state {
            case .rowExpected:
                state = .afterRow
                return try readRow()
            case .afterRow:
                try finishRow()
            case .statements:
                guard try skipTrivia() != nil else { return nil }
                try readStatement()
            }
        }
    }

    /// The bytes of input held at once, which stays at the chunk size whatever the dump.
    var inputBufferCapacity: Int { input.bufferCapacity }

    // MARK: Statements

    private mutating func readStatement() throws(RadacctSourceError) {
        guard let word = try readKeyword() else {
            try skipStatement()
            return
        }
        switch word {
        case "INSERT", "REPLACE": try readInsert()
        case "CREATE": try readCreate()
        case "DELIMITER": try readDelimiter()
        default: try skipStatement()
        }
    }

    /// `INSERT [LOW_PRIORITY|DELAYED|HIGH_PRIORITY] [IGNORE] [INTO] name [(columns)] VALUES`.
    private mutating func readInsert() throws(RadacctSourceError) {
        let line = input.line
        var name: (text: String, quoted: Bool)?
        while let identifier = try readQualifiedName() {
            let keyword = identifier.text.uppercased()
            if !identifier.quoted, ["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO"].contains(keyword) { continue }
            name = identifier
            break
        }
        guard let name, name.text.lowercased() == table else {
            try skipStatement()
            return
        }
        var listed: [String]?
        if try skipTrivia() == openParen {
            input.skip()
            listed = try readNameList()
        }
        guard let keyword = try readKeyword(), keyword == "VALUES" || keyword == "VALUE" else {
            throw RadacctSourceError(
                line: input.line, "the INSERT into \(table) at line \(line) has no VALUES list; only INSERT ... VALUES rows can be read")
        }
        guard let insertColumns = listed ?? declaredColumns else {
            throw RadacctSourceError(
                line: line,
                "no column names for the INSERT into \(table): the dump has no CREATE TABLE \(table) before it and the INSERT names no columns; dump with the table structure or with --complete-insert"
            )
        }
        try adopt(insertColumns, line: line)
        state = .rowExpected
    }

    /// Makes `insertColumns` the order of the coming rows: fixes `columns` at the first
    /// row, and maps a later INSERT that lists the same columns in another order onto it.
    private mutating func adopt(_ insertColumns: [String], line: Int) throws(RadacctSourceError) {
        valueCount = insertColumns.count
        guard columnsFixed else {
            columns = insertColumns
            placement = nil
            return
        }
        if insertColumns == columns {
            placement = nil
            return
        }
        let positions = Dictionary(columns.enumerated().map { ($1.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let mapped = insertColumns.compactMap { positions[$0.lowercased()] }
        guard mapped.count == columns.count, Set(mapped).count == columns.count else {
            throw RadacctSourceError(
                line: line,
                "the INSERT into \(table) names columns (\(insertColumns.joined(separator: ", "))) that differ from the earlier rows' (\(columns.joined(separator: ", "))); split the dump by column layout"
            )
        }
        placement = mapped
    }

    /// `CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (definitions) options`.
    private mutating func readCreate() throws(RadacctSourceError) {
        var word = try readKeyword()
        if word == "TEMPORARY" { word = try readKeyword() }
        guard word == "TABLE" else {
            try skipStatement()
            return
        }
        var name = try readQualifiedName()
        if let current = name, !current.quoted, current.text.uppercased() == "IF" {
            _ = try readKeyword() // NOT
            _ = try readKeyword() // EXISTS
            name = try readQualifiedName()
        }
        guard let name, name.text.lowercased() == table, try skipTrivia() == openParen else {
            try skipStatement()
            return
        }
        input.skip()
        var names: [String] = []
        while true {
            guard let definition = try readIdentifier() else {
                throw RadacctSourceError(line: input.line, "unexpected text in the definition of table \(table)")
            }
            let keyword = definition.text.uppercased()
            if definition.quoted || !MySQLDumpReader.definitionKeywords.contains(keyword) {
                names.append(definition.text)
            }
            guard try skipDefinition() else { break }
        }
        declaredColumns = names
        if !columnsFixed { columns = names }
        try skipStatement()
    }

    /// Words that start a key or constraint line of a table definition rather than a column.
    private static let definitionKeywords: Set<String> = [
        "PRIMARY", "KEY", "UNIQUE", "INDEX", "CONSTRAINT", "FULLTEXT", "SPATIAL", "CHECK", "FOREIGN", "PERIOD",
    ]

    /// Skips the rest of one definition; true when another follows, false at the closing
    /// parenthesis of the table.
    private mutating func skipDefinition() throws(RadacctSourceError) -> Bool {
        var depth = 0
        while let byte = try skipTrivia() {
            switch byte {
            case openParen:
                depth += 1
                input.skip()
            case closeParen:
                input.skip()
                if depth == 0 { return false }
                depth -= 1
            case comma where depth == 0:
                input.skip()
                return true
            case quote, doubleQuote, backquote:
                try skipQuoted()
            default:
                input.skip()
            }
        }
        throw RadacctSourceError(line: input.line, "the definition of table \(table) ends before its closing parenthesis")
    }

    /// The mysql client's `DELIMITER x` command, which ends at the end of its line.
    private mutating func readDelimiter() throws(RadacctSourceError) {
        while let byte = try input.peek(), byte == space || byte == tab { input.skip() }
        var text: [UInt8] = []
        _ = try input.append(to: &text, until: { $0 == newline || $0 == carriageReturn || $0 == space || $0 == tab })
        _ = try input.skip(until: { $0 == newline })
        if !text.isEmpty { delimiter = text }
    }

    /// Skips to just after the end of the current statement, or to the end of the source.
    private mutating func skipStatement() throws(RadacctSourceError) {
        while let byte = try input.peek() {
            if byte == quote || byte == doubleQuote || byte == backquote {
                try skipQuoted()
            } else if try skipComment() {
                continue
            } else if try consumeDelimiter() {
                return
            } else {
                input.skip()
            }
        }
    }

    /// Consumes the statement delimiter if it comes next.
    private mutating func consumeDelimiter() throws(RadacctSourceError) -> Bool {
        guard try input.peek() == delimiter[0] else { return false }
        for offset in delimiter.indices.dropFirst() where try input.peek(at: offset) != delimiter[offset] { return false }
        for _ in delimiter { input.skip() }
        return true
    }

    // MARK: Rows

    /// One parenthesised row of values.
    private mutating func readRow() throws(RadacctSourceError) -> [String?] {
        guard try skipTrivia() == openParen else {
            throw RadacctSourceError(line: input.line, "expected a row in parentheses in the VALUES of \(table)")
        }
        let line = input.line
        input.skip()
        var values: [String?] = []
        values.reserveCapacity(valueCount)
        if try skipTrivia() == closeParen {
            input.skip()
        } else {
            while true {
                values.append(try readValue())
                switch try skipTrivia() {
                case comma:
                    input.skip()
                    continue
                case closeParen:
                    input.skip()
                case nil:
                    throw RadacctSourceError(line: line, "the row starting at line \(line) is cut off by the end of the file")
                default:
                    throw RadacctSourceError(line: input.line, "unexpected text after a value in the VALUES of \(table)")
                }
                break
            }
        }
        guard values.count == valueCount else {
            throw RadacctSourceError(
                line: line, "a row of \(table) has \(values.count) values but the INSERT has \(valueCount) columns")
        }
        columnsFixed = true
        guard let placement else { return values }
        var placed = [String?](repeating: nil, count: values.count)
        for (index, value) in values.enumerated() { placed[placement[index]] = value }
        return placed
    }

    /// What follows a row: another row, the end of the INSERT, or `ON DUPLICATE KEY UPDATE`.
    private mutating func finishRow() throws(RadacctSourceError) {
        guard let byte = try skipTrivia() else {
            state = .statements
            return
        }
        if byte == comma {
            input.skip()
            state = .rowExpected
        } else if try consumeDelimiter() {
            state = .statements
        } else if try readKeyword() == "ON" {
            try skipStatement()
            state = .statements
        } else {
            throw RadacctSourceError(line: input.line, "unexpected text between the rows of \(table)")
        }
    }

    /// One value: a string, a number, NULL, a hex literal, or a string with a charset
    /// introducer such as `_binary` or `N`.
    private mutating func readValue() throws(RadacctSourceError) -> String? {
        guard let byte = try skipTrivia() else {
            throw RadacctSourceError(line: input.line, "the file ends inside a row of \(table)")
        }
        let second = byte == zero ? try input.peek(at: 1) : nil
        switch byte {
        case quote, doubleQuote:
            return try readString()
        case zero where second == 0x78 || second == 0x58:
            input.skip()
            input.skip()
            return try readHex(until: nil)
        case minus, plus, dot, zero...nine:
            return try readNumber()
        default:
            guard isWordByte(byte), let word = try readKeyword() else {
                throw RadacctSourceError(line: input.line, "unexpected text in a row of \(table)")
            }
            switch word {
            case "NULL": return nil
            case "TRUE": return "1"
            case "FALSE": return "0"
            case "N" where try input.peek() == quote:
                return try readString()
            case "X" where try input.peek() == quote:
                input.skip()
                return try readHex(until: quote)
            case _ where word.hasPrefix("_"):
                // A charset introducer: the value follows.
                return try readValue()
            default:
                throw RadacctSourceError(line: input.line, "unexpected \(word) in a row of \(table); only literal values can be read")
            }
        }
    }

    /// A quoted string with MySQL's backslash escapes and doubled quotes.
    private mutating func readString() throws(RadacctSourceError) -> String {
        let line = input.line
        guard let opening = try input.next() else { return "" }
        scratch.removeAll(keepingCapacity: true)
        while true {
            let stop = try input.append(to: &scratch, until: { $0 == opening || $0 == backslash })
            guard let stop else {
                throw RadacctSourceError(line: line, "the string starting at line \(line) is not closed before the end of the file")
            }
            input.skip()
            if stop == opening {
                if try input.peek() == opening {
                    input.skip()
                    scratch.append(opening)
                    continue
                }
                return String(repairingUTF8: scratch)
            }
            guard let escaped = try input.next() else {
                throw RadacctSourceError(line: line, "the string starting at line \(line) is not closed before the end of the file")
            }
            switch escaped {
            case zero: scratch.append(0)
            case 0x62: scratch.append(0x08) // \b
            case 0x6E: scratch.append(newline) // \n
            case 0x72: scratch.append(carriageReturn) // \r
            case 0x74: scratch.append(tab) // \t
            case 0x5A: scratch.append(0x1A) // \Z
            case 0x25, 0x5F: scratch.append(contentsOf: [backslash, escaped]) // \% and \_ keep their backslash
            default: scratch.append(escaped)
            }
        }
    }

    /// A number as written (sign, digits, decimal point, exponent).
    private mutating func readNumber() throws(RadacctSourceError) -> String {
        let line = input.line
        scratch.removeAll(keepingCapacity: true)
        var previous: UInt8 = 0
        var digits = 0
        while let byte = try input.peek() {
            let isSign = byte == minus || byte == plus
            if isSign, !scratch.isEmpty, previous != 0x65, previous != 0x45 { break }
            guard isSign || byte == dot || byte == 0x65 || byte == 0x45 || (zero...nine).contains(byte) else { break }
            if (zero...nine).contains(byte) { digits += 1 }
            if !(byte == plus && scratch.isEmpty) { scratch.append(byte) }
            previous = byte
            input.skip()
        }
        guard digits > 0 else { throw RadacctSourceError(line: line, "a malformed number in a row of \(table)") }
        return String(decoding: scratch, as: UTF8.self)
    }

    /// Hex digits as the bytes they encode, up to a closing quote when `terminator` is set.
    private mutating func readHex(until terminator: UInt8?) throws(RadacctSourceError) -> String {
        let line = input.line
        scratch.removeAll(keepingCapacity: true)
        var high: UInt8?
        while true {
            let byte = try input.peek()
            if let terminator {
                guard let byte else {
                    throw RadacctSourceError(line: line, "the hex string starting at line \(line) is not closed before the end of the file")
                }
                if byte == terminator {
                    input.skip()
                    break
                }
            }
            guard let byte, let nibble = hexValue(byte) else { break }
            input.skip()
            if let value = high {
                scratch.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { throw RadacctSourceError(line: line, "a hex literal with an odd number of digits in a row of \(table)") }
        return String(repairingUTF8: scratch)
    }

    // MARK: Tokens

    /// Skips whitespace and comments; returns the next byte without consuming it.
    private mutating func skipTrivia() throws(RadacctSourceError) -> UInt8? {
        while let byte = try input.peek() {
            if byte == space || byte == newline || byte == tab || byte == carriageReturn || byte == 0x0C {
                input.skip()
            } else if try !skipComment() {
                return byte
            }
        }
        return nil
    }

    /// Skips a `-- `, `#` or `/* */` comment if one starts at the next byte.
    private mutating func skipComment() throws(RadacctSourceError) -> Bool {
        switch try input.peek() {
        case hash:
            _ = try input.skip(until: { $0 == newline })
            return true
        case minus:
            // MySQL needs whitespace (or the end of the line) after `--` for a comment.
            guard try input.peek(at: 1) == minus else { return false }
            if let third = try input.peek(at: 2), third > space { return false }
            _ = try input.skip(until: { $0 == newline })
            return true
        case slash:
            guard try input.peek(at: 1) == star else { return false }
            let line = input.line
            input.skip()
            input.skip()
            while true {
                guard try input.skip(until: { $0 == star }) != nil else {
                    throw RadacctSourceError(line: line, "the comment starting at line \(line) is not closed before the end of the file")
                }
                input.skip()
                if try input.peek() == slash {
                    input.skip()
                    return true
                }
            }
        default:
            return false
        }
    }

    /// Skips a string or quoted name, escapes included (names have no backslash escapes).
    private mutating func skipQuoted() throws(RadacctSourceError) {
        let line = input.line
        guard let opening = try input.next() else { return }
        let escapes = opening != backquote
        while true {
            let stop = try input.skip(until: { $0 == opening || (escapes && $0 == backslash) })
            guard let stop else {
                throw RadacctSourceError(line: line, "the string starting at line \(line) is not closed before the end of the file")
            }
            input.skip()
            if stop == backslash {
                guard try input.next() != nil else {
                    throw RadacctSourceError(line: line, "the string starting at line \(line) is not closed before the end of the file")
                }
            } else if try input.peek() == opening {
                input.skip()
            } else {
                return
            }
        }
    }

    /// A bare word in upper case, or nil (nothing consumed) when no word comes next.
    private mutating func readKeyword() throws(RadacctSourceError) -> String? {
        guard let byte = try skipTrivia(), isWordByte(byte) else { return nil }
        scratch.removeAll(keepingCapacity: true)
        _ = try input.append(to: &scratch, until: { !isWordByte($0) })
        return String(decoding: scratch, as: UTF8.self).uppercased()
    }

    /// A name, backquoted or bare, or nil (nothing consumed) when none comes next.
    private mutating func readIdentifier() throws(RadacctSourceError) -> (text: String, quoted: Bool)? {
        guard let byte = try skipTrivia() else { return nil }
        scratch.removeAll(keepingCapacity: true)
        if byte == backquote || byte == doubleQuote {
            let line = input.line
            input.skip()
            while true {
                guard try input.append(to: &scratch, until: { $0 == byte }) != nil else {
                    throw RadacctSourceError(line: line, "the quoted name starting at line \(line) is not closed before the end of the file")
                }
                input.skip()
                guard try input.peek() == byte else { break }
                input.skip()
                scratch.append(byte)
            }
            return (String(repairingUTF8: scratch), true)
        }
        guard isWordByte(byte) else { return nil }
        _ = try input.append(to: &scratch, until: { !isWordByte($0) })
        return (String(repairingUTF8: scratch), false)
    }

    /// A name that may be qualified by its database (`db`.`name`); the last part.
    private mutating func readQualifiedName() throws(RadacctSourceError) -> (text: String, quoted: Bool)? {
        guard var name = try readIdentifier() else { return nil }
        while try skipTrivia() == dot {
            input.skip()
            guard let part = try readIdentifier() else { break }
            name = part
        }
        return name
    }

    /// Names separated by commas up to a closing parenthesis (the opening one consumed).
    private mutating func readNameList() throws(RadacctSourceError) -> [String] {
        var names: [String] = []
        while true {
            guard let name = try readIdentifier() else {
                throw RadacctSourceError(line: input.line, "unexpected text in the column list of the INSERT into \(table)")
            }
            names.append(name.text)
            switch try skipTrivia() {
            case comma: input.skip()
            case closeParen:
                input.skip()
                return names
            default:
                throw RadacctSourceError(line: input.line, "unexpected text in the column list of the INSERT into \(table)")
            }
        }
    }
}

@inline(__always)
private func isWordByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x24, 0x80...0xFF: true
    default: false
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x41...0x46: byte - 0x41 + 10
    case 0x61...0x66: byte - 0x61 + 10
    default: nil
    }
}

private let space: UInt8 = 0x20
private let tab: UInt8 = 0x09
private let newline: UInt8 = 0x0A
private let carriageReturn: UInt8 = 0x0D
private let quote: UInt8 = 0x27
private let doubleQuote: UInt8 = 0x22
private let backquote: UInt8 = 0x60
private let backslash: UInt8 = 0x5C
private let openParen: UInt8 = 0x28
private let closeParen: UInt8 = 0x29
private let comma: UInt8 = 0x2C
private let semicolon: UInt8 = 0x3B
private let dot: UInt8 = 0x2E
private let minus: UInt8 = 0x2D
private let plus: UInt8 = 0x2B
private let hash: UInt8 = 0x23
private let slash: UInt8 = 0x2F
private let star: UInt8 = 0x2A
private let zero: UInt8 = 0x30
private let nine: UInt8 = 0x39
