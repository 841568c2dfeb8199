import ArgumentParser
import Server
import Storage

/// Runs a command body, turning expected failures into a message and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as StoreError {
        printError("error: \(error.message)")
        throw ExitCode(error.code == .notFound ? 2 : 1)
    } catch let error as PostgresError {
        printError("error: \(error)")
        throw ExitCode(1)
    } catch let error as TollgateConfiguration.Error {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}
