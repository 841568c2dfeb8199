import Console
import Foundation
import Storage

/// A console password from standard input, checked and hashed.
enum PasswordInput {
    static func hash(_ fromStdin: Bool) throws -> String {
        guard fromStdin else { throw StoreError(.invalid, "give --password-stdin and the password on standard input") }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard data.count <= 4096, var password = String(data: data, encoding: .utf8) else {
            throw StoreError(.invalid, "the password on standard input is not UTF-8 text")
        }
        // "\r\n" is one Character in Swift, so removeLast drops it whole.
        if password.hasSuffix("\r\n") || password.hasSuffix("\n") { password.removeLast() }
        do {
            return try PasswordHasher.hash(password)
        } catch let error as PasswordError {
            throw StoreError(.invalid, error.description)
        }
    }
}
