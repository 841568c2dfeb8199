/// User-Password hiding (RFC 2865 section 5.2): the password, padded to a multiple of 16
/// octets, XORed with a chain of MD5(secret + previous block), starting from the Request
/// Authenticator.
public enum PasswordCipher {
    /// Hides `password` (at most 128 octets) for an Access-Request with `authenticator`.
    public static func hide(_ password: [UInt8], secret: [UInt8], authenticator: Authenticator, crypto: RADIUSCrypto) -> [UInt8]? {
        guard password.count <= 128 else { return nil }
        var padded = password
        let blocks = max(1, (password.count + 15) / 16)
        padded.append(contentsOf: [UInt8](repeating: 0, count: blocks * 16 - password.count))
        var previous = authenticator.bytes
        var out: [UInt8] = []
        for block in 0..<blocks {
            let key = mask(secret: secret, previous: previous, crypto: crypto)
            let cipher = (0..<16).map { padded[block * 16 + $0] ^ key[$0] }
            out.append(contentsOf: cipher)
            previous = cipher
        }
        return out
    }

    /// Recovers the password from a hidden User-Password value; nil when its length is not a
    /// non-zero multiple of 16 (at most 128).
    public static func unhide(_ hidden: some Collection<UInt8>, secret: [UInt8], authenticator: Authenticator, crypto: RADIUSCrypto) -> [UInt8]? {
        let cipher = Array(hidden)
        guard !cipher.isEmpty, cipher.count % 16 == 0, cipher.count <= 128 else { return nil }
        var previous = authenticator.bytes
        var out: [UInt8] = []
        for block in stride(from: 0, to: cipher.count, by: 16) {
            let key = mask(secret: secret, previous: previous, crypto: crypto)
            let chunk = Array(cipher[block..<(block + 16)])
            out.append(contentsOf: (0..<16).map { chunk[$0] ^ key[$0] })
            previous = chunk
        }
        while out.last == 0 { out.removeLast() }
        return out
    }

    private static func mask(secret: [UInt8], previous: [UInt8], crypto: RADIUSCrypto) -> [UInt8] {
        crypto.beginMD5()
        crypto.updateMD5(secret)
        crypto.updateMD5(previous)
        return crypto.finishMD5().bytes
    }
}
