import ArgumentParser
import RADIUS

/// `tollgate dictionary check`.
struct DictionaryCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load a dictionary tree and count what it defines; exits non-zero with file:line on an error.")

    @Argument(help: "The top dictionary file (its $INCLUDEs are followed).")
    var path: String

    @Flag(help: "Also print redefinition warnings.")
    var warnings = false

    func run() throws {
        let dictionary: RADIUSDictionary
        do {
            dictionary = try RADIUSDictionary(contentsOf: path)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        print("vendors: \(dictionary.vendors.count)")
        print("attributes: \(dictionary.attributes.count)")
        print("values: \(dictionary.valueCount)")
        print("warnings: \(dictionary.warnings.count)")
        if warnings {
            for warning in dictionary.warnings { print("warning: \(warning)") }
        }
    }
}
