/// A TOML syntax error: where in the text it is and what is wrong there.
public struct TOMLError: Error, CustomStringConvertible, Sendable, Equatable {
    /// 1-based line of the text.
    public var line: Int
    /// 1-based column (in characters) of the line.
    public var column: Int
    /// What is wrong, as the parser says it.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
