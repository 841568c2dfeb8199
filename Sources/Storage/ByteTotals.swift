import Accounting
import Rating

/// Upload and download bytes of a span of time.
public struct ByteTotals: Hashable, Sendable {
    public var upload: Int64
    public var download: Int64
    public var total: Int64 { upload &+ download }

    public init(upload: Int64, download: Int64) {
        self.upload = upload
        self.download = download
    }
}
