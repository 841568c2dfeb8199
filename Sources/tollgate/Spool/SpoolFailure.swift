import ArgumentParser

/// Prints `message` as an error; the exit status to throw.
func spoolFailure(_ message: String) -> ExitCode {
    printError("error: " + message)
    return ExitCode(1)
}
