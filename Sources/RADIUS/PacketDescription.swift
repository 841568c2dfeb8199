import CivilCalendar

/// Human-readable rendering of packets and values, for operators debugging NAS devices.
public enum PacketDescription {
    /// The packet's header, each attribute by name with its typed value and, when a secret is
    /// given, whether its authenticators verify.
    public static func describe(
        _ packet: RADIUSPacket, dictionary: RADIUSDictionary, secret: [UInt8]? = nil,
        requestAuthenticator: Authenticator? = nil, crypto: RADIUSCrypto = RADIUSCrypto()
    ) -> String {
        var lines: [String] = []
        lines.append("\(packet.code) (code \(packet.code.rawValue)), identifier \(packet.identifier), length \(packet.length)")
        lines.append("Authenticator: \(packet.authenticator)")
        for attribute in packet.decodeAttributes(dictionary: dictionary) {
            append(attribute, dictionary: dictionary, indent: "  ", to: &lines)
        }
        if let secret {
            lines.append(contentsOf: verification(packet, secret: secret, requestAuthenticator: requestAuthenticator, crypto: crypto))
        }
        return lines.joined(separator: "\n")
    }

    static func verification(_ packet: RADIUSPacket, secret: [UInt8], requestAuthenticator: Authenticator?, crypto: RADIUSCrypto) -> [String] {
        var lines: [String] = []
        if packet.code.hasComputedRequestAuthenticator {
            let ok = packet.verifyRequestAuthenticator(secret: secret, crypto: crypto)
            lines.append("Request Authenticator: \(ok ? "valid" : "INVALID")")
        } else if packet.code.isRequest {
            lines.append("Request Authenticator: random (nothing to verify)")
        } else if let requestAuthenticator {
            let ok = packet.verifyResponseAuthenticator(requestAuthenticator: requestAuthenticator, secret: secret, crypto: crypto)
            lines.append("Response Authenticator: \(ok ? "valid" : "INVALID")")
        } else {
            lines.append("Response Authenticator: not checked (needs the request's authenticator)")
        }
        if packet.first(RADIUSPacket.messageAuthenticatorType) != nil, !packet.code.isRequest, requestAuthenticator == nil {
            lines.append("Message-Authenticator: not checked (needs the request's authenticator)")
        } else {
            switch packet.verifyMessageAuthenticator(secret: secret, requestAuthenticator: requestAuthenticator, crypto: crypto) {
            case .absent: lines.append("Message-Authenticator: absent")
            case .valid: lines.append("Message-Authenticator: valid")
            case .invalid: lines.append("Message-Authenticator: INVALID")
            }
        }
        return lines
    }

    private static func append(_ attribute: DecodedAttribute, dictionary: RADIUSDictionary, indent: String, to lines: inout [String]) {
        let tag = attribute.tag.map { ":\($0)" } ?? ""
        if case .tlv(let children) = attribute.value {
            lines.append("\(indent)\(attribute.name)\(tag) (\(attribute.oid)) = {")
            for child in children { append(child, dictionary: dictionary, indent: indent + "  ", to: &lines) }
            lines.append("\(indent)}")
            return
        }
        let shown = format(attribute.value, definitionIndex: attribute.definitionIndex, dictionary: dictionary)
        lines.append("\(indent)\(attribute.name)\(tag) (\(attribute.oid)) = \(shown)")
    }

    /// One value as text: numbers with their VALUE names, dates in UTC, text quoted.
    public static func format(_ value: AttributeValue, definitionIndex: Int? = nil, dictionary: RADIUSDictionary = RADIUSDictionary()) -> String {
        switch value {
        case .text(let s): return quoted(s)
        case .octets(let bytes): return "0x" + hexString(bytes)
        case .invalid(let bytes, let reason): return "0x" + hexString(bytes) + " (invalid: \(reason))"
        case .integer, .integer64, .byte, .short, .signed:
            let number = value.unsignedValue!
            let text: String
            if case .signed(let v) = value { text = String(v) } else { text = String(number) }
            if let index = definitionIndex, let name = dictionary.valueName(number, forAttributeAt: index) {
                return "\(name) (\(text))"
            }
            return text
        case .date(let seconds): return formatDate(seconds) + " (\(seconds))"
        case .ipv4(let a): return a.description
        case .ipv6(let a): return a.description
        case .ipv4Prefix(let a, let length): return "\(a)/\(length)"
        case .ipv6Prefix(let a, let length): return "\(a)/\(length)"
        case .ifid(let v):
            let b = bigEndianBytes(v, count: 8)
            return stride(from: 0, to: 8, by: 2).map { hexString(b[$0..<($0 + 2)]) }.joined(separator: ":")
        case .ether(let v):
            return bigEndianBytes(v, count: 6).map { hexString([$0]) }.joined(separator: ":")
        case .tlv(let children): return "{ \(children.count) attributes }"
        }
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 (UTC).
    public static func formatDate(_ seconds: UInt32) -> String {
        let days = Int64(seconds / 86400)
        let secondsOfDay = Int(seconds % 86400)
        let (year, month, day) = GregorianDays.date(dayNumber: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60))Z"
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + hexString([UInt8(scalar.value)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Hex text to octets: whitespace, `:` and a leading `0x` are ignored.
public func parseHex(_ text: String) -> [UInt8]? {
    var digits = Substring(text)
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
    var out: [UInt8] = []
    var high: UInt8?
    for ch in digits.unicodeScalars {
        if ch == " " || ch == "\n" || ch == "\t" || ch == ":" || ch == "\r" { continue }
        guard let nibble = UInt8(String(ch), radix: 16) else { return nil }
        if let h = high {
            out.append(h << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return high == nil ? out : nil
}
