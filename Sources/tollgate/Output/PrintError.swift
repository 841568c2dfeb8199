#if canImport(Glibc)
    import Glibc
#endif

/// Writes `message` and a newline to standard error, unbuffered.
func printError(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}
