import Foundation
import FuzzSupport
import RADIUS

/// Coverage-guided fuzzing of the packet decoder: every input is a datagram as it would arrive
/// on the accounting port. Decoding must never trap, whatever the bytes; what decodes is taken
/// through everything the collector and `tollgate decode` do with a packet.
///
/// Fuzzed or replayed through `runFuzzTarget`.
enum PacketTarget {
    static let dictionary: RADIUSDictionary = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Dictionaries/dictionary").standardized
            .path
        do { return try RADIUSDictionary(contentsOf: path) } catch { fatalError("dictionary \(path): \(error)") }
    }()
    /// libFuzzer calls the target from one thread only, so one crypto context serves every input.
    nonisolated(unsafe) static let crypto = RADIUSCrypto()
    static let secret = Array("testing123".utf8)

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let packet = try? RADIUSPacket(decoding: bytes) else { return }
        let fields = AccountingFields(packet)
        _ = fields.malformedCount
        _ = packet.verifyRequestAuthenticator(secret: secret, crypto: crypto)
        _ = packet.decodeAttributes(dictionary: dictionary)
        _ = PacketDescription.describe(packet, dictionary: dictionary, secret: secret, crypto: crypto)
    }
}

@main
struct Main {
    static func main() throws {
        try runFuzzTarget { PacketTarget.run($0) }
    }
}
