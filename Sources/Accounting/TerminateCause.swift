/// Acct-Terminate-Cause values by name: RFC 2866's 1-18 and RFC 3580's 19-22, spelled as
/// the RADIUS dictionaries (and FreeRADIUS's radacct) spell them.
public enum TerminateCause {
    public static let names: [UInt32: String] = [
        1: "User-Request", 2: "Lost-Carrier", 3: "Lost-Service", 4: "Idle-Timeout", 5: "Session-Timeout",
        6: "Admin-Reset", 7: "Admin-Reboot", 8: "Port-Error", 9: "NAS-Error", 10: "NAS-Request",
        11: "NAS-Reboot", 12: "Port-Unneeded", 13: "Port-Preempted", 14: "Port-Suspended",
        15: "Service-Unavailable", 16: "Callback", 17: "User-Error", 18: "Host-Request",
        19: "Supplicant-Restart", 20: "Reauthentication-Failure", 21: "Port-Reinit", 22: "Port-Disabled",
    ]

    private static let codes: [String: UInt32] = Dictionary(uniqueKeysWithValues: names.map { ($0.value.lowercased(), $0.key) })

    /// The code `text` names: a dictionary name (any case) or a number; nil otherwise.
    public static func code(_ text: String) -> UInt32? {
        if let number = UInt32(text) { return number }
        return codes[text.lowercased()]
    }
}
