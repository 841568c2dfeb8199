/// A small TOML reader for the configuration file: comments, `key = value` with strings
/// (basic and literal), integers, decimals, booleans and one-line arrays, `[table]` and
/// `[[array-of-tables]]`. Errors name the line.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    /// A number with a fractional part, kept as its text so no binary rounding touches it.
    case decimal(String)
    case boolean(Bool)
    case array([TOMLValue])
    case table([String: TOMLValue])
    case tables([[String: TOMLValue]])
}

public struct TOMLError: Error, CustomStringConvertible, Sendable {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

public enum TOMLSubset {
    public static func parse(_ text: String) throws -> [String: TOMLValue] {
        var root: [String: TOMLValue] = [:]
        // Where keys go: nil = root, (name, false) = [name], (name, true) = last of [[name]].
        var current: (name: String, isArray: Bool)?
        var lineNumber = 0
        // Lines end in LF or CRLF (a file edited on Windows, a browser's textarea). Split on the
        // scalars: to String, CR LF is one Character, which "\n" never equals.
        for raw in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = stripComment(String(String.UnicodeScalarView(raw.last == "\r" ? raw.dropLast() : raw[...]))).trimmed()
            if line.isEmpty { continue }
            if line.hasPrefix("[[") {
                guard line.hasSuffix("]]") else { throw TOMLError(line: lineNumber, message: "unclosed [[table]] header") }
                let name = String(line.dropFirst(2).dropLast(2)).trimmed()
                try checkKey(name, line: lineNumber)
                var list: [[String: TOMLValue]] = []
                if case .tables(let existing)? = root[name] { list = existing } else if root[name] != nil {
                    throw TOMLError(line: lineNumber, message: "\(name) is already defined as something else")
                }
                list.append([:])
                root[name] = .tables(list)
                current = (name, true)
                continue
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw TOMLError(line: lineNumber, message: "unclosed [table] header") }
                let name = String(line.dropFirst().dropLast()).trimmed()
                try checkKey(name, line: lineNumber)
                guard root[name] == nil else { throw TOMLError(line: lineNumber, message: "table [\(name)] defined twice") }
                root[name] = .table([:])
                current = (name, false)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw TOMLError(line: lineNumber, message: "expected key = value")
            }
            let key = String(line[..<equals]).trimmed()
            try checkKey(key, line: lineNumber)
            var rest = Substring(String(line[line.index(after: equals)...]).trimmed())
            let value = try parseValue(&rest, line: lineNumber)
            guard rest.trimmed().isEmpty else { throw TOMLError(line: lineNumber, message: "unexpected text after the value of \(key)") }
            switch current {
            case nil:
                guard root[key] == nil else { throw TOMLError(line: lineNumber, message: "\(key) set twice") }
                root[key] = value
            case (let name, false)?:
                guard case .table(var table)? = root[name] else { continue }
                guard table[key] == nil else { throw TOMLError(line: lineNumber, message: "\(name).\(key) set twice") }
                table[key] = value
                root[name] = .table(table)
            case (let name, true)?:
                guard case .tables(var list)? = root[name] else { continue }
                guard list[list.count - 1][key] == nil else { throw TOMLError(line: lineNumber, message: "\(name).\(key) set twice") }
                list[list.count - 1][key] = value
                root[name] = .tables(list)
            }
        }
        return root
    }

    private static func checkKey(_ key: String, line: Int) throws {
        guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw TOMLError(line: line, message: "invalid key '\(key)'")
        }
    }

    /// Removes a `#` comment that is not inside a string.
    private static func stripComment(_ line: String) -> String {
        var inBasic = false, inLiteral = false, escaped = false
        for (offset, ch) in line.enumerated() {
            if escaped { escaped = false; continue }
            if inBasic && ch == "\\" { escaped = true; continue }
            if ch == "\"" && !inLiteral { inBasic.toggle() }
            if ch == "'" && !inBasic { inLiteral.toggle() }
            if ch == "#" && !inBasic && !inLiteral { return String(line.prefix(offset)) }
        }
        return line
    }

    private static func parseValue(_ text: inout Substring, line: Int) throws -> TOMLValue {
        text = Substring(String(text).trimmed())
        guard let first = text.first else { throw TOMLError(line: line, message: "missing value") }
        switch first {
        case "\"":
            text.removeFirst()
            var out = ""
            while let ch = text.first {
                text.removeFirst()
                if ch == "\"" { return .string(out) }
                if ch == "\\" {
                    guard let e = text.first else { break }
                    text.removeFirst()
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\\": out.append("\\")
                    case "\"": out.append("\"")
                    case "u":
                        let hex = text.prefix(4)
                        guard hex.count == 4, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                            throw TOMLError(line: line, message: "bad \\u escape")
                        }
                        out.unicodeScalars.append(scalar)
                        text.removeFirst(4)
                    default: throw TOMLError(line: line, message: "unknown escape \\\(e)")
                    }
                } else {
                    out.append(ch)
                }
            }
            throw TOMLError(line: line, message: "unterminated string")
        case "'":
            text.removeFirst()
            guard let end = text.firstIndex(of: "'") else { throw TOMLError(line: line, message: "unterminated string") }
            let value = String(text[..<end])
            text = text[text.index(after: end)...]
            return .string(value)
        case "[":
            text.removeFirst()
            var items: [TOMLValue] = []
            while true {
                text = Substring(String(text).trimmed())
                if text.first == "]" { text.removeFirst(); return .array(items) }
                items.append(try parseValue(&text, line: line))
                text = Substring(String(text).trimmed())
                if text.first == "," { text.removeFirst(); continue }
                if text.first == "]" { text.removeFirst(); return .array(items) }
                throw TOMLError(line: line, message: "expected , or ] in array")
            }
        default:
            let token = text.prefix { $0 != "," && $0 != "]" && !$0.isWhitespace }
            text = text[token.endIndex...]
            if token == "true" { return .boolean(true) }
            if token == "false" { return .boolean(false) }
            if let number = Int(token.filter { $0 != "_" }) { return .integer(number) }
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber),
               let whole = parts[0].first == "-" ? parts[0].dropFirst() : Optional(parts[0]), !whole.isEmpty,
               whole.allSatisfy({ $0.isASCII && $0.isNumber }) {
                return .decimal(String(token))
            }
            throw TOMLError(line: line, message: "unsupported value '\(token)' (strings need quotes)")
        }
    }
}

extension String {
    func trimmed() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func trimmed() -> String { String(self).trimmed() }
}
