import COpenSSL

/// Encrypts NAS shared secrets at rest with AES-256-GCM (OpenSSL EVP).
///
/// Sealed form: version octet (1), 12-octet random nonce, ciphertext, 16-octet tag. The
/// associated data binds each secret to its tenant, so a sealed value copied to another
/// tenant's row does not open.
public struct SecretCipher: Sendable {
    public static let keyLength = 32
    private let key: [UInt8]

    public struct Error: Swift.Error, Hashable, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// `key` must be 32 octets.
    public init(key: [UInt8]) throws(Error) {
        guard key.count == Self.keyLength else {
            throw Error(message: "the secret key must be 32 bytes (64 hex digits), got \(key.count) bytes")
        }
        self.key = key
    }

    /// Parses a key given as 64 hex digits.
    public init(hexKey: String) throws(Error) {
        let trimmed = hexKey.trimmingWhitespace()
        guard trimmed.count == 64, let bytes = Self.hexBytes(trimmed) else {
            throw Error(message: "the secret key must be 64 hex digits (32 bytes)")
        }
        try self.init(key: bytes)
    }

    /// A new random key as 64 hex digits.
    public static func generateHexKey() -> String {
        var bytes = [UInt8](repeating: 0, count: keyLength)
        precondition(RAND_bytes(&bytes, Int32(keyLength)) == 1, "OpenSSL's random generator failed")
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public func seal(_ plaintext: [UInt8], tenantID: Int64) throws(Error) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        guard RAND_bytes(&nonce, 12) == 1 else { throw Error(message: "no random nonce available") }
        let aad = Self.associatedData(tenantID)
        guard let context = EVP_CIPHER_CTX_new() else { throw Error(message: "cannot create a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: 16)
        var length: Int32 = 0
        var total: Int32 = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, 12, nil) == 1,
            EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1,
            EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1,
            EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1
        else { throw Error(message: "encryption failed") }
        total = length
        let finished = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(total), &length)
        }
        guard finished == 1 else { throw Error(message: "encryption failed") }
        total += length
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw Error(message: "encryption failed") }
        return [1] + nonce + ciphertext.prefix(Int(total)) + tag
    }

    public func open(_ sealed: [UInt8], tenantID: Int64) throws(Error) -> [UInt8] {
        guard sealed.count >= 1 + 12 + 16, sealed[0] == 1 else {
            throw Error(message: "stored secret has an unknown format")
        }
        let nonce = Array(sealed[1..<13])
        let ciphertext = Array(sealed[13..<(sealed.count - 16)])
        var tag = Array(sealed.suffix(16))
        let aad = Self.associatedData(tenantID)
        guard let context = EVP_CIPHER_CTX_new() else { throw Error(message: "cannot create a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, 12, nil) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1,
            EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1,
            EVP_DecryptUpdate(context, &plaintext, &length, ciphertext, Int32(ciphertext.count)) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1
        else { throw Error(message: "stored secret cannot be decrypted") }
        let total = length
        let finished = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + Int(total), &length)
        }
        guard finished == 1 else {
            throw Error(message: "stored secret does not open with this key: check secret_key / TOLLGATE_SECRET_KEY")
        }
        return Array(plaintext.prefix(Int(total + length)))
    }

    private static func associatedData(_ tenantID: Int64) -> [UInt8] {
        Array("tollgate-nas-secret:v1:\(tenantID)".utf8)
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            case 0x41...0x46: v = c - 0x41 + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
