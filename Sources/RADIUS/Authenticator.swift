/// The 16-octet Authenticator field of a RADIUS packet.
public struct Authenticator: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public static let zero = Authenticator(high: 0, low: 0)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads 16 octets starting at `offset`.
    public init(_ bytes: some RandomAccessCollection<UInt8>, at offset: Int = 0) {
        precondition(bytes.count >= offset + 16, "an authenticator is 16 octets")
        var high: UInt64 = 0
        var low: UInt64 = 0
        var index = bytes.index(bytes.startIndex, offsetBy: offset)
        for _ in 0..<8 {
            high = high << 8 | UInt64(bytes[index])
            index = bytes.index(after: index)
        }
        for _ in 0..<8 {
            low = low << 8 | UInt64(bytes[index])
            index = bytes.index(after: index)
        }
        self.init(high: high, low: low)
    }

    /// Sixteen cryptographically random octets (for Access-Request and Status-Server).
    public static func random() -> Authenticator {
        var bytes = [UInt8](repeating: 0, count: 16)
        CryptoRandom.fill(&bytes)
        return Authenticator(bytes)
    }

    /// The 16 octets, most significant first.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(16)
        appendBytes(to: &out)
        return out
    }

    func appendBytes(to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
    }

    func write(into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * i)) }
        for i in 0..<8 { bytes[offset + 8 + i] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * i)) }
    }

    /// Constant-time comparison, for checking authenticators received from the network.
    public func constantTimeEquals(_ other: Authenticator) -> Bool {
        ((high ^ other.high) | (low ^ other.low)) == 0
    }

    public var description: String { hexString(bytes) }
}

func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    var s = ""
    for b in bytes {
        s.append(digits[Int(b >> 4)])
        s.append(digits[Int(b & 0x0f)])
    }
    return s
}
