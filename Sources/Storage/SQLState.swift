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
