import Storage

/// Usage of one subscriber, for one period or in total, as the API (GET /v1/usage,
/// GET /v1/usage/top), the CLI (`tollgate usage`) and the console show it.
///
/// Upload is what the subscriber sent, download what it received. JSON fields are snake_case;
/// `period` is left out of ungrouped usage, and is an empty column in a table or CSV export.
public struct UsagePresentation: TabularPresentation, Hashable {
    /// The User-Name.
    public var subscriber: String
    /// Start of the period in the tenant's time zone (`YYYY-MM-DD HH:00`, `YYYY-MM-DD` or
    /// `YYYY-MM` when grouped by hour, day or month); nil for totals over the whole range.
    public var period: String?
    /// Bytes sent by the subscriber, as an integer.
    public var uploadBytes: Int64
    /// Bytes received by the subscriber, as an integer.
    public var downloadBytes: Int64
    /// Seconds of session time, as an integer.
    public var sessionSeconds: Int64

    public init(_ row: UsageRow) {
        subscriber = row.subscriber
        period = row.period
        uploadBytes = row.uploadBytes
        downloadBytes = row.downloadBytes
        sessionSeconds = row.sessionSeconds
    }

    public static let columns = ["subscriber", "period", "upload_bytes", "download_bytes", "session_seconds"]

    public var cells: [String?] {
        [subscriber, period, PresentedValue.count(uploadBytes), PresentedValue.count(downloadBytes), PresentedValue.count(sessionSeconds)]
    }

    // The API's names, written out so that they do not depend on an encoder's key strategy.
    enum CodingKeys: String, CodingKey {
        case subscriber, period
        case uploadBytes = "upload_bytes"
        case downloadBytes = "download_bytes"
        case sessionSeconds = "session_seconds"
    }
}
