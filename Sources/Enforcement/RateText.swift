/// A rate written "upload/download" in a NAS's own syntax, e.g. MikroTik's "1M/2M" or a pair
/// of Cisco policy-map names "SLOW-IN/SLOW-OUT". Only the first word counts for the parts
/// (MikroTik appends burst settings after a space); one value without "/" means both
/// directions, as MikroTik reads it.
struct RateText: Sendable, Hashable {
    var text: String
    var upload: String
    var download: String

    init?(_ text: String) {
        let first = text.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        let parts = first.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !first.isEmpty, parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.text = text
        upload = parts[0]
        download = parts.count == 2 ? parts[1] : parts[0]
    }

    /// Bits per second of one part: a number with an optional k, M or G suffix (powers of 1000,
    /// as MikroTik and Huawei count), e.g. "512k" = 512000, "1.5M" = 1500000.
    static func bitsPerSecond(_ part: String) -> UInt64? {
        var digits = Substring(part)
        var scale: UInt64 = 1
        switch digits.last {
        case "k", "K": scale = 1_000
        case "m", "M": scale = 1_000_000
        case "g", "G": scale = 1_000_000_000
        default: break
        }
        if scale != 1 { digits = digits.dropLast() }
        let pieces = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = UInt64(pieces[0]) else { return nil }
        var value = whole.multipliedReportingOverflow(by: scale)
        guard !value.overflow else { return nil }
        if pieces.count == 2 {
            let fraction = pieces[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.allSatisfy(\.isASCII), let numerator = UInt64(fraction) else { return nil }
            var denominator: UInt64 = 1
            for _ in 0..<fraction.count { denominator *= 10 }
            // Only fractions that come out whole in bits per second: "1.5M", not "1.0000001k".
            guard (numerator * scale) % denominator == 0 else { return nil }
            value = value.partialValue.addingReportingOverflow(numerator * scale / denominator)
            guard !value.overflow else { return nil }
        }
        return value.partialValue
    }
}
