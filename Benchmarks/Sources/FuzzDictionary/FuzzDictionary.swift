import Foundation
import FuzzSupport
import RADIUS

/// Coverage-guided fuzzing of the dictionary loader: every input is the text of a dictionary
/// file. Loading must end in a dictionary or a `file:line` error, never a trap.
///
/// Inputs naming `$INCLUDE` are skipped: they would read files of the machine running the
/// fuzzer (the include logic has its own tests). Fuzzed or replayed through `runFuzzTarget`.
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
        try runFuzzTarget { DictionaryTarget.run($0) }
    }
}
