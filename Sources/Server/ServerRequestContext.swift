import Hummingbird
import NIOCore

/// The request context of `tollgate serve`: Hummingbird's basic one plus the client's
/// address, which the console's sign-in limit counts failures by.
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
