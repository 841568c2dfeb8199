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
        case _
        where state.hasPrefix(SQLState.insufficientResourcesClass) || state.hasPrefix(SQLState.operatorInterventionPrefix)
            || state.hasPrefix(SQLState.systemErrorClass):
            self = .databaseUnavailable
        case _ where state.hasPrefix(SQLState.dataExceptionClass) || state.hasPrefix(SQLState.integrityViolationClass):
            self = .dataRefused
        default:
            self = .other
        }
    }
}
