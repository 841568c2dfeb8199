import Foundation

/// The `main` of a fuzz target. Built by `Benchmarks/fuzz` (with `-DFUZZING`, coverage
/// instrumentation and AddressSanitizer) it hands over to libFuzzer's driver, which parses the
/// libFuzzer flags and calls `body` with each input; built plainly it runs `body` once on each
/// file named on the command line, to replay a corpus or a crash.
public func runFuzzTarget(_ body: @escaping (UnsafeRawBufferPointer) -> Void) throws -> Never {
    #if FUZZING
        target = body
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(
            LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                target?(UnsafeRawBufferPointer(start: data, count: size))
                return 0
            })
    #else
        for path in CommandLine.arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            data.withUnsafeBytes { body($0) }
        }
        print("replayed \(CommandLine.arguments.count - 1) inputs")
        exit(0)
    #endif
}

#if FUZZING
    /// The input handler: libFuzzer's callback is a C function and cannot capture it. libFuzzer
    /// calls it from one thread only.
    nonisolated(unsafe) private var target: ((UnsafeRawBufferPointer) -> Void)?

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // libFuzzer's C entry point, by its name.
    @_silgen_name("LLVMFuzzerRunDriver")
    private func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif
