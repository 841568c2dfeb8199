import Accounting
import Foundation
import Rating

/// Columns the invoices of a period can be sorted by: whitelisted, never text from a request.
public enum InvoiceSort: String, Sendable, CaseIterable {
    case user, status, subtotal, tax, total, id

    var expression: String {
        switch self {
        case .user: "s.user_name"
        case .status: "i.status"
        case .subtotal: "i.subtotal"
        case .tax: "i.tax"
        case .total: "i.total"
        case .id: "i.id"
        }
    }
}
