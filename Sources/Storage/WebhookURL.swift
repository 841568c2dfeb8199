/// Checks the URL a webhook endpoint posts to.
///
/// Accepted: `http://` or `https://`, a host name, IPv4 or bracketed IPv6 address, an
/// optional port 1-65535, then a path and query of printable ASCII (anything else
/// percent-encoded). Refused: other schemes (`file:`, `javascript:`, ...), credentials in
/// the URL (they would be logged and shown; the signature authenticates Tollgate), a
/// fragment, and more than `maxLength` characters.
public enum WebhookURL {
    /// Longest URL accepted, characters.
    public static let maxLength = 2048

    /// The URL as it will be used (scheme and host in lower case), or an error saying what is wrong.
    public static func validate(_ text: String) throws -> String {
        guard !text.isEmpty, text.utf8.count <= maxLength else {
            throw StoreError(.invalid, "url must be 1-\(maxLength) characters")
        }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw StoreError(.invalid, "url must be printable ASCII without spaces: percent-encode anything else")
        }
        guard let separator = text.range(of: "://") else {
            throw StoreError(.invalid, "url must start with http:// or https://")
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw StoreError(.invalid, "url scheme must be http or https, not '\(scheme.prefix(20))'")
        }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let tail = rest[authorityEnd...]
        guard !authority.contains("@") else {
            throw StoreError(.invalid, "url must not carry credentials (user:password@): the signature authenticates each delivery")
        }
        guard !tail.contains("#") else { throw StoreError(.invalid, "url must not have a fragment (#...)") }
        let (host, port) = try hostAndPort(authority)
        return "\(scheme)://\(host.lowercased())\(port.map { ":\($0)" } ?? "")\(tail)"
    }

    private static func hostAndPort(_ authority: Substring) throws -> (Substring, Int?) {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw StoreError(.invalid, "url has an unclosed [IPv6 address]") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw StoreError(.invalid, "url has text after its [IPv6 address]") }
                portText = after.dropFirst()
            }
            let inner = host.dropFirst().dropLast()
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw StoreError(.invalid, "url has a malformed IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        if !host.hasPrefix("[") {
            guard !host.isEmpty, host.utf8.count <= 253,
                host.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." }),
                !host.hasPrefix("."), !host.hasPrefix("-")
            else {
                throw StoreError(.invalid, "url host must be a host name or IP address (letters, digits, '-' and '.')")
            }
        }
        guard let portText else { return (host, nil) }
        guard portText.first != "0", portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65535).contains(port)
        else {
            throw StoreError(.invalid, "url port must be 1-65535")
        }
        return (host, port)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
