import Accounting
import Foundation
import Rating

/// One line of an export: the invoice it is on (without its other lines), its 1-based
/// position there, and the line.
public struct ExportedLine: Sendable {
    public var invoice: InvoiceRecord
    public var position: Int
    public var line: InvoiceLine
}
