import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import TaoGate

@Suite("A client connection's handler")
struct ClientConnectionHandlerTests {
    @Test("At a graceful shutdown, a busy connection closes once its last answer's bytes are written")
    func shutdownClosesAfterTheLastBytes() throws {
        let channel = EmbeddedChannel()
        let held = HeldWrites<ByteBuffer>()
        let limits = ClientConnectionHandler.Limits(
            connections: ConnectionCount(limit: 10),
            maxBodyBytes: 1024,
            bodyTimeout: .seconds(30),
            idleTimeout: nil
        )
        try channel.pipeline.syncOperations.addHandler(held)
        try channel.pipeline.syncOperations.addHandler(ClientConnectionHandler(limits: limits, metrics: nil))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8080)).wait()
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/healthz")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))

        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive, "a connection with a request to answer stays open")
        channel.writeAndFlush(AnswerBytes.last(ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(channel.isActive, "its answer's bytes are not written yet")
        held.release()
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}
