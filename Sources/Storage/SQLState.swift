/// SQLSTATE codes Tollgate acts on, by name (PostgreSQL's appendix A).
public enum SQLState {
    public static let uniqueViolation = "23505"
    public static let readOnlyTransaction = "25006"
    public static let deadlockDetected = "40P01"
    public static let serializationFailure = "40001"
    public static let queryCanceled = "57014"
    /// A lock could not be had within lock_timeout.
    public static let lockNotAvailable = "55P03"
    /// Class 58: the server's own I/O failed.
    public static let systemErrorClass = "58"
    public static let duplicateTable = "42P07"
    /// A merge transaction of a merger that no longer leads (`merge_fence`).
    public static let mergeFenced = "TGM01"
    /// RAISE EXCEPTION in a PL/pgSQL function: a trigger or check function refusing the row.
    public static let raiseException = "P0001"
    /// Class 22: the data itself is invalid (bad encoding, out of range, bad format).
    public static let dataExceptionClass = "22"
    /// Class 23: the data breaks a constraint.
    public static let integrityViolationClass = "23"
    /// Class 53: out of disk, memory or connections.
    public static let insufficientResourcesClass = "53"
    /// 57P01..57P05: the server is shutting down, crashed, or cannot be connected to now.
    public static let operatorInterventionPrefix = "57P0"
}

/// How a failed database write is handled: the one classification every writer (the
/// appender, the spool replay, the merger) follows.
public enum WriteFailure: Equatable, Sendable {
    /// The database cannot take writes now, whatever the data: the connection is gone or
    /// timed out, the server is read-only (a standby), out of resources or shutting down.
    /// Keep the data (spool it or try later) and connect anew.
    case databaseUnavailable
    /// Another transaction got in the way (deadlock, serialization): the same write may
    /// succeed if tried again at once.
    case transient
    /// The database refuses this data (SQLSTATE classes 22 and 23, or a function raising an
    /// exception over it): trying again will not help; split the batch to find the packet at fault.
    case dataRefused
    /// Any other statement error (a bug, a schema that is not the expected one).
    case other

    /// Classifies an error thrown by a write.
    public init(_ error: any Error) {
        guard let error = error as? PostgresError else {
            self = .other
            return
        }
        if error.kind == .connection {
            self = .databaseUnavailable
            return
        }
        guard error.kind == .statement, let state = error.sqlState else {
            self = .other
            return
        }
        switch state {
        case SQLState.queryCanceled, SQLState.readOnlyTransaction, SQLState.mergeFenced:
            self = .databaseUnavailable
        case SQLState.deadlockDetected, SQLState.serializationFailure, SQLState.lockNotAvailable:
            self = .transient
        case SQLState.raiseException:
            self = .dataRefused
        case _ where state.hasPrefix(SQLState.insufficientResourcesClass) || state.hasPrefix(SQLState.operatorInterventionPrefix)
                || state.hasPrefix(SQLState.systemErrorClass):
            self = .databaseUnavailable
        case _ where state.hasPrefix(SQLState.dataExceptionClass) || state.hasPrefix(SQLState.integrityViolationClass):
            self = .dataRefused
        default:
            self = .other
        }
    }
}
