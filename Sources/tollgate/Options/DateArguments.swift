import Accounting
import Foundation
import Rating
import Storage

/// The date an option gives (YYYY-MM-DD), or a message naming the option.
func parseDate(_ text: String, option: String) throws -> CivilDate {
    guard let date = CivilDate(text) else { throw StoreError(.invalid, "\(option) '\(text)' is not a date (YYYY-MM-DD)") }
    return date
}

/// Today in the tenant's time zone.
func today(in tenant: Tenant) -> CivilDate {
    LocalTime.date(utc: Int64(Date().timeIntervalSince1970), zone: tenant.timeZone)
        ?? CivilDate(dayNumber: Int64(Date().timeIntervalSince1970) / 86400)
}
