import Foundation
import RADIUS

/// Coverage-guided fuzzing of the packet decoder: every input is a datagram as it would arrive
/// on the accounting port. Decoding must never trap, whatever the bytes; what decodes is taken
/// through everything the collector and `tollgate decode` do with a packet.
///
/// Built by `Benchmarks/fuzz` (coverage instrumentation, AddressSanitizer, libFuzzer's driver);
/// built normally, it replays the files given as arguments through the same path.
enum PacketTarget {
    static let dictionary: RADIUSDictionary = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Dictionaries/dictionary").standardized.path
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
        #if FUZZING
        // libFuzzer's driver (linked from compiler-rt's fuzzer_no_main) takes over: it parses
        // the libFuzzer flags and calls back with each input.
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            PacketTarget.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
        #else
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { PacketTarget.run($0) }
        }
        print("replayed \(CommandLine.arguments.count - 1) inputs")
        #endif
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
