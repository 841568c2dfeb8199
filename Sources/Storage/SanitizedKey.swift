import Accounting

/// The session key as the database stores it (text repaired as `TextRepair` repairs it).
public enum SanitizedKey {
    public static func of(_ r: AccountingRecord) -> SessionKey {
        SessionKey(tenantID: r.tenantID, nasID: r.nasID, sessionID: clean(r.sessionID), userName: clean(r.userName), nasPort: clean(r.nasPort))
    }

    public static func clean(_ s: String) -> String {
        s.utf8.contains(0) ? String(decoding: TextRepair.sanitized(s.utf8), as: UTF8.self) : s
    }
}
