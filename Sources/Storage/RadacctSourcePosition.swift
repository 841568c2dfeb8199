import Foundation
import RadacctImport

/// How far a source was read: rows of a file, or the highest radacctid of a database table
/// read in radacctid order.
public enum RadacctSourcePosition: Sendable {
    case rows
    case radacctID
}
