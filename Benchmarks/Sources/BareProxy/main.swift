import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOPosix

// The least a gateway on TaoGate's stack can do: read a POST body with Hummingbird, send it
// upstream with AsyncHTTPClient, return the answer. No parsing, logging, metrics, storage,
// routing or time limits. `scripts/bench` does not run it; BENCHMARKS.md reports it beside
// TaoGate to show how much of TaoGate's cost is the stack's own.
//
//   BareProxy PORT UPSTREAM_URL     e.g. BareProxy 18300 http://127.0.0.1:18080/v1/chat/completions

NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
let arguments = CommandLine.arguments
let port = arguments.count > 1 ? Int(arguments[1]) ?? 18300 : 18300
let upstream = arguments.count > 2 ? arguments[2] : "http://127.0.0.1:18080/v1/chat/completions"

let router = Router()
router.post("/v1/chat/completions") { request, _ -> Response in
    var request = request
    let body = try await request.collectBody(upTo: 1 << 20)
    var outbound = HTTPClientRequest(url: upstream)
    outbound.method = .POST
    outbound.headers.add(name: "Content-Type", value: "application/json")
    outbound.body = .bytes(body)
    let answer = try await HTTPClient.shared.execute(outbound, timeout: .seconds(30))
    let isStream = answer.headers.first(name: "content-type")?.hasPrefix("text/event-stream") == true
    if isStream {
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream"],
            body: ResponseBody { writer in
                for try await part in answer.body { try await writer.write(part) }
                try await writer.finish(nil)
            }
        )
    }
    let bytes = try await answer.body.collect(upTo: 1 << 24)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
