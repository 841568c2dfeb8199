import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A webhook receiver on 127.0.0.1 for the tests: records every request and answers with
/// the scripted status codes in order, then 200.
final class WebhookReceiver: Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: [UInt8]
        var answered: Int
    }

    /// The script and what arrived, shared with the connections' handlers.
    final class State: Sendable {
        let lock: Mutex<(script: [Int], requests: [Request])>
        init(_ statuses: [Int]) { lock = Mutex((statuses, [])) }
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel: any Channel
    private let state: State
    let port: Int

    init(statuses: [Int] = []) throws {
        let state = State(statuses)
        self.state = state
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        ReceiverHandler { request in
                            state.lock.withLock { state in
                                let status = state.script.isEmpty ? 200 : state.script.removeFirst()
                                var recorded = request
                                recorded.answered = status
                                state.requests.append(recorded)
                                return status
                            }
                        })
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    var requests: [Request] { state.lock.withLock { $0.requests } }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

private final class ReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let answer: @Sendable (WebhookReceiver.Request) -> Int
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(answer: @escaping @Sendable (WebhookReceiver.Request) -> Int) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let status = answer(WebhookReceiver.Request(method: "\(head.method)", path: head.uri, headers: headers, body: body, answered: 0))
            var responseHeaders = HTTPHeaders()
            responseHeaders.add(name: "Content-Length", value: "2")
            context.write(
                wrapOutboundOut(
                    .head(
                        HTTPResponseHead(
                            version: head.version, status: HTTPResponseStatus(statusCode: status),
                            headers: responseHeaders))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
