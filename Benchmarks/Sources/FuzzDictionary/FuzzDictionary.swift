import Foundation
import RADIUS

/// Coverage-guided fuzzing of the dictionary loader: every input is the text of a dictionary
/// file. Loading must end in a dictionary or a `file:line` error, never a trap.
///
/// Inputs naming `$INCLUDE` are skipped: they would read files of the machine running the
/// fuzzer (the include logic has its own tests). Built like FuzzPacket.
enum DictionaryTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard !text.contains("$INCLUDE") else { return }
        _ = try? RADIUSDictionary(parsing: text, fileName: "fuzz", directory: nil)
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
            DictionaryTarget.run(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
        #else
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { DictionaryTarget.run($0) }
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
