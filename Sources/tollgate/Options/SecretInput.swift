import ArgumentParser
import Foundation
import Storage

/// Where a command reads a NAS shared secret from. A command line is visible to every local
/// user (ps, /proc) and kept in shell history, so a file or standard input is preferred.
struct SecretInput: ParsableArguments {
    @Option(help: "The shared secret, or - to read it from standard input. Visible to other local users: prefer --secret-file or --secret-stdin.")
    var secret: String?

    @Option(help: "Read the shared secret from this file (one trailing newline is ignored).")
    var secretFile: String?

    @Flag(help: "Read the shared secret from standard input (one trailing newline is ignored).")
    var secretStdin = false

    /// The secret from the one source given.
    func read() throws -> String {
        let fromStdin = secretStdin || secret == "-"
        let given = [secret != nil && secret != "-", secretFile != nil, fromStdin].filter { $0 }.count
        guard given == 1 else {
            throw StoreError(.invalid, "give the shared secret once: --secret-file FILE, --secret-stdin (or --secret -), or --secret VALUE")
        }
        if let secret, secret != "-" { return secret }
        if let secretFile { return try Self.read(file: secretFile) }
        return try Self.text(FileHandle.standardInput.readDataToEndOfFile(), from: "standard input")
    }

    /// A secret from a file (one trailing newline is ignored).
    static func read(file: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw StoreError(.invalid, "cannot read the secret file \(file): \(error.localizedDescription)")
        }
        return try text(data, from: file)
    }

    private static func text(_ data: Data, from source: String) throws -> String {
        guard data.count <= 4096, var text = String(data: data, encoding: .utf8) else {
            throw StoreError(.invalid, "the secret from \(source) is not UTF-8 text of at most 128 octets")
        }
        // "\r\n" is one Character in Swift, so removeLast drops it whole.
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
