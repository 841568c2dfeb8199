import COpenSSL
import Foundation

/// A signed-in console session: who, and the token its forms must carry.
public struct ConsoleSession: Hashable, Sendable {
    public var user: ConsoleUser
    /// The synchronizer token every state-changing form of this session carries.
    public var csrfToken: String
}
