import Rating

/// 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit.
public func isSlug(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard (1...63).contains(bytes.count) else { return false }
    for (i, b) in bytes.enumerated() {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): continue
        case UInt8(ascii: "-"), UInt8(ascii: "_"): if i == 0 { return false }
        default: return false
        }
    }
    return true
}
