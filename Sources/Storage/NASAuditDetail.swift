/// What the audit log says about a NAS change, the same from the API, the CLI and the
/// console: the settings given, never a secret (only whether one was set or removed).
public enum NASAuditDetail {
    /// `address=10.0.0.1 listener=default`.
    public static func added(address: String, listener: String) -> String {
        "address=\(address) listener=\(listener)"
    }

    /// The settings a change gives, in a fixed order, e.g. `coa_port=1700 coa_secret=set vendor=mikrotik`.
    public static func updated(
        address: String? = nil, identifier: String?? = nil, listener: String? = nil,
        requireMessageAuthenticator: Bool? = nil, coaPort: Int? = nil, coaSecret: String?? = nil,
        vendor: String? = nil
    ) -> String {
        var parts: [String] = []
        if let address { parts.append("address=\(address)") }
        if let identifier { parts.append(identifier.map { "identifier=\($0)" } ?? "identifier=removed") }
        if let listener { parts.append("listener=\(listener)") }
        if let requireMessageAuthenticator { parts.append("require_message_authenticator=\(requireMessageAuthenticator)") }
        if let coaPort { parts.append("coa_port=\(coaPort)") }
        if let coaSecret { parts.append(coaSecret == nil ? "coa_secret=removed" : "coa_secret=set") }
        if let vendor { parts.append("vendor=\(vendor)") }
        return parts.joined(separator: " ")
    }
}
