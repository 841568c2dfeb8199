import Accounting
import Foundation
import Rating

/// A top-up as stored.
public struct TopUpRecord: Hashable, Sendable, Codable {
    public var id: Int64
    public var userName: String
    public var period: String
    public var bytes: Int64
    public var note: String?
    public var createdAt: String
}
