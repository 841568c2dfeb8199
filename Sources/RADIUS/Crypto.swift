import COpenSSL

/// Reusable MD5 and HMAC-MD5 state, through OpenSSL's EVP interfaces.
///
/// Creating EVP contexts allocates; a collector thread keeps one `RADIUSCrypto` and uses it
/// for every packet, so verifying a packet allocates nothing. Not thread-safe: one per thread.
public final class RADIUSCrypto {
    private let md5: OpaquePointer
    private let digestContext: OpaquePointer
    private let mac: OpaquePointer
    private let macContext: OpaquePointer

    public init() {
        guard let md5 = EVP_MD_fetch(nil, "MD5", nil),
            let digestContext = EVP_MD_CTX_new(),
            let mac = EVP_MAC_fetch(nil, "HMAC", nil),
            let macContext = EVP_MAC_CTX_new(mac)
        else {
            fatalError("OpenSSL provides no MD5 or HMAC: check the OpenSSL configuration (default provider)")
        }
        self.md5 = md5
        self.digestContext = digestContext
        self.mac = mac
        self.macContext = macContext
        let ok: Int32 = "digest".withCString { key in
            "MD5".withCString { value in
                var params = [
                    OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: value), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_CTX_set_params(macContext, &params)
            }
        }
        precondition(ok == 1, "OpenSSL refused HMAC with MD5")
    }

    deinit {
        EVP_MAC_CTX_free(macContext)
        EVP_MAC_free(mac)
        EVP_MD_CTX_free(digestContext)
        EVP_MD_free(md5)
    }

    /// MD5 over the concatenation of the parts, in order.
    public func md5(_ parts: UnsafeRawBufferPointer...) -> Authenticator {
        md5(parts: parts)
    }

    func md5(parts: [UnsafeRawBufferPointer]) -> Authenticator {
        beginMD5()
        for part in parts { updateMD5(part) }
        return finishMD5()
    }

    func beginMD5() {
        let ok = EVP_DigestInit_ex2(digestContext, md5, nil)
        precondition(ok == 1, "EVP_DigestInit_ex2 failed")
    }

    func updateMD5(_ part: UnsafeRawBufferPointer) {
        guard part.count > 0 else { return }
        let ok = EVP_DigestUpdate(digestContext, part.baseAddress, part.count)
        precondition(ok == 1, "EVP_DigestUpdate failed")
    }

    func updateMD5(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { updateMD5($0) }
    }

    func finishMD5() -> Authenticator {
        var out = (UInt64(0), UInt64(0))
        var length: UInt32 = 0
        let ok = withUnsafeMutableBytes(of: &out) { raw in
            EVP_DigestFinal_ex(digestContext, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
        }
        precondition(ok == 1 && length == 16, "EVP_DigestFinal_ex failed")
        return Authenticator(high: out.0.bigEndian, low: out.1.bigEndian)
    }

    func beginHMAC(key: [UInt8]) {
        let ok = key.withUnsafeBufferPointer { k in
            // An empty key must still be a valid pointer for OpenSSL.
            EVP_MAC_init(macContext, k.baseAddress ?? UnsafePointer(bitPattern: 1), k.count, nil)
        }
        precondition(ok == 1, "EVP_MAC_init failed")
    }

    func updateHMAC(_ part: UnsafeRawBufferPointer) {
        guard part.count > 0 else { return }
        let ok = EVP_MAC_update(macContext, part.baseAddress!.assumingMemoryBound(to: UInt8.self), part.count)
        precondition(ok == 1, "EVP_MAC_update failed")
    }

    func finishHMAC() -> Authenticator {
        var out = (UInt64(0), UInt64(0))
        var length = 0
        let ok = withUnsafeMutableBytes(of: &out) { raw in
            EVP_MAC_final(macContext, raw.baseAddress!.assumingMemoryBound(to: UInt8.self), &length, 16)
        }
        precondition(ok == 1 && length == 16, "EVP_MAC_final failed")
        return Authenticator(high: out.0.bigEndian, low: out.1.bigEndian)
    }

    /// HMAC-MD5 of `message` under `key`.
    public func hmacMD5(key: [UInt8], message: [UInt8]) -> Authenticator {
        beginHMAC(key: key)
        message.withUnsafeBytes { updateHMAC($0) }
        return finishHMAC()
    }
}

enum CryptoRandom {
    static func fill(_ bytes: inout [UInt8]) {
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        precondition(ok == 1, "OpenSSL's random generator failed")
    }
}
