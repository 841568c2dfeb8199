/// Text as PostgreSQL accepts it: one bad User-Name must never fail a whole batch.
enum TextRepair {
    /// Valid UTF-8 without NUL: invalid sequences and NULs become U+FFFD.
    static func sanitized(_ octets: some Collection<UInt8>) -> String.UTF8View {
        var text = String(decoding: octets, as: UTF8.self)
        if text.utf8.contains(0) {
            text = String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
        }
        return text.utf8
    }
}
