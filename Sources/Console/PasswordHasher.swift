import HummingbirdBcrypt

/// Console passwords, hashed with bcrypt. Checking a password costs about the same whether
/// or not the email exists (a fixed hash is checked for unknown ones), so timing does not
/// tell which emails are users.
public enum PasswordHasher {
    /// bcrypt's work factor: 2^12 rounds.
    public static let cost: UInt8 = 12
    /// Shortest password accepted.
    public static let minimumLength = 12

    /// The hash to store for a new password; refuses one too short or too long for bcrypt.
    public static func hash(_ password: String) throws -> String {
        try check(password)
        return Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash` (nil: no such user; checked against a fixed hash).
    public static func verify(_ password: String, hash: String?) -> Bool {
        guard password.utf8.count <= 72 else {
            _ = Bcrypt.verify("", hash: hash ?? absentUser)
            return false
        }
        let matches = Bcrypt.verify(password, hash: hash ?? absentUser)
        return hash != nil && matches
    }

    /// bcrypt reads at most 72 octets; a longer password would be accepted by its prefix.
    public static func check(_ password: String) throws {
        guard password.count >= minimumLength else { throw PasswordError("a password needs at least \(minimumLength) characters") }
        guard password.utf8.count <= 72 else { throw PasswordError("a password may have at most 72 octets (bcrypt reads no more)") }
        guard !password.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw PasswordError("a password may not contain control characters")
        }
    }

    /// Checked when the email is unknown, so that such a sign-in costs as much as a real one.
    private static let absentUser = Bcrypt.hash("tollgate-absent-user-\(UInt64.random(in: 0...UInt64.max))", cost: cost)
}

public struct PasswordError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
