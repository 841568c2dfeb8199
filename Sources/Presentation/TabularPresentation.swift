/// A row that the API, the CLI and the console show alike: as JSON (`Encodable`, with the
/// API's field names), and as a table or CSV export (`columns` and `cells`).
///
/// `cells` are the plain values, one per column in the order of `columns`, nil where a value
/// is absent. They are not escaped: a CSV writer runs each through `TabularText.CSV.field`
/// (which neutralises formula-leading text) and an HTML writer escapes them for markup.
public protocol TabularPresentation: Encodable, Sendable {
    /// The column names, as the header of a CSV export or a table.
    static var columns: [String] { get }
    /// The values of one row, in the order of `columns`.
    var cells: [String?] { get }
}
