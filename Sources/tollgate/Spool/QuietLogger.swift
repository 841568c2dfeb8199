import Logging

/// Warnings and errors only, on standard error: the spool commands report through their output.
func quietLogger() -> Logger {
    var logger = Logger(label: "tollgate-spool") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    return logger
}
