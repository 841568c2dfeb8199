import COpenSSL

/// Signs webhook bodies: HMAC-SHA256, keyed with the endpoint's secret (its text as shown,
/// `whsec_...`, as UTF-8 octets), over `"<timestamp>.<body>"`, where the timestamp is the
/// Unix time in seconds of the attempt as decimal digits.
///
/// Sent as `Tollgate-Signature: t=<timestamp>,v1=<lower-case hex>`. A receiver verifies by
/// computing the same HMAC over the `t` value, a dot, and the raw body octets exactly as
/// received (before any JSON parsing), comparing with `v1` in constant time, and refusing
/// timestamps more than a few minutes from its own clock (replays).
public enum WebhookSigner {
    /// The lower-case hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
    public static func signature(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        let message = Array("\(timestamp).".utf8) + body
        var digest = [UInt8](repeating: 0, count: 32)
        var length = 0
        let produced = secret.withUnsafeBufferPointer { key in
            message.withUnsafeBufferPointer { data in
                // OpenSSL wants a valid pointer even for an empty key or message.
                EVP_Q_mac(
                    nil, "HMAC", nil, "SHA256", nil, key.baseAddress ?? UnsafePointer(bitPattern: 1), key.count,
                    data.baseAddress ?? UnsafePointer(bitPattern: 1), data.count, &digest, 32, &length)
            }
        }
        precondition(produced != nil && length == 32, "OpenSSL refused HMAC-SHA256")
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The `Tollgate-Signature` header value.
    public static func header(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        "t=\(timestamp),v1=\(signature(secret: secret, timestamp: timestamp, body: body))"
    }
}
