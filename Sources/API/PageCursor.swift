import Foundation
import Storage

/// The `next_cursor` of a listing: the sort key of a page's last row, sealed with the
/// server's secret key (AES-256-GCM) for one tenant and one listing.
///
/// Opaque to clients; a cursor that was altered, made up, or issued to another tenant or for
/// another listing does not open and is refused with 400, so it can reveal nothing.
struct PageCursor {
    /// Names the listing (and the filters that change its order), so that a cursor of one
    /// listing is not read as a key of another.
    let listing: String
    /// The tenant whose rows the listing shows; 0 for the platform (admin) listings.
    let tenantID: Int64
    let cipher: SecretCipher

    /// Longest cursor text accepted, characters.
    static let maxLength = 4096

    func encode(_ key: [String]) -> String {
        let plain = (try? JSONSerialization.data(withJSONObject: [listing] + key, options: [])) ?? Data()
        let sealed = (try? cipher.seal(Array(plain), tenantID: tenantID)) ?? []
        return Data(sealed).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func decode(_ text: String) throws -> [String] {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard text.count <= Self.maxLength, let sealed = Data(base64Encoded: base64),
            let plain = try? cipher.open(Array(sealed), tenantID: tenantID),
            let parts = (try? JSONSerialization.jsonObject(with: Data(plain))) as? [String],
            parts.first == listing
        else {
            throw APIError.invalid("cursor is not one this listing returned: pass next_cursor of the previous page unchanged, with the same filters")
        }
        return Array(parts.dropFirst())
    }
}
