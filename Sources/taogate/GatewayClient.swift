import ArgumentParser
import AsyncHTTPClient
import Foundation
import LLMClient
import NIOCore
import NIOHTTP1
import Synchronization

/// The reference API, from the client's side.
struct GatewayClient {
    let url: String
    let key: String?
    /// A refused connection fails within the connect timeout instead of being retried for long.
    private static let http = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(timeout: .init(connect: .seconds(3)))
    )

    init(url: String, key: String?) {
        self.url = url
        self.key = key
    }

    private struct Ask: Encodable {
        let message: String
        let model: String?
        let userId: String?
    }

    private struct Content: Decodable {
        let content: String?
        let error: String?
        let code: String?
    }

    private struct ModelsReply: Decodable {
        let models: [String]
    }

    /// Streams one answer to stdout, with a spinner on stderr until the first words.
    func ask(_ message: String, model: String?, user: String?, interruptible: Bool) async throws {
        var request = HTTPClientRequest(url: url + "/api/chat/stream")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(Ask(message: message, model: model, userId: user))))

        let spinner = Spinner.start()
        defer { spinner.stop() }
        let response = try await send(request)
        var decoder = SSEDecoder()
        var wroteAnything = false
        func show(_ events: [ServerSentEvent]) throws {
            for event in events where event.data != "[DONE]" {
                guard let content = try? JSONDecoder().decode(Content.self, from: Data(event.data.utf8)) else { continue }
                if event.event == "error" || content.error != nil {
                    spinner.stop()
                    if wroteAnything { FileHandle.standardOutput.write(Data("\n".utf8)) }
                    printToStandardError("taogate: the answer broke off: \(content.error ?? "error") (\(content.code ?? "unknown"))")
                    throw ExitCode.failure
                }
                if let text = content.content {
                    spinner.stop()
                    FileHandle.standardOutput.write(Data(text.utf8))
                    wroteAnything = true
                }
            }
        }
        do {
            for try await buffer in response.body {
                try show(try decoder.decode(buffer))
            }
            try show(try decoder.finish())
        } catch let error as HTTPClientError where error == .cancelled {
            throw CancellationError()
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    func models() async throws -> [String] {
        var request = HTTPClientRequest(url: url + "/api/models")
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let response = try await send(request)
        let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
        return (try? JSONDecoder().decode(ModelsReply.self, from: Data(body.readableBytesView)).models) ?? []
    }

    /// Sends a request; a failure gets one clear line on stderr and its exit code.
    private func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .seconds(120))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            printToStandardError("taogate: cannot reach the gateway at \(url)")
            throw ExitCode(69)
        }
        guard response.status == .ok else {
            let body = (try? await response.body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? ""
            let reason = (try? JSONDecoder().decode(Content.self, from: Data(body.utf8)))?.error ?? "HTTP \(response.status.code)"
            switch response.status.code {
            case 401:
                printToStandardError("taogate: the gateway refused the key (401): \(reason) Use --key or TAOGATE_CLIENT_KEY.")
                throw ExitCode(77)
            case 429:
                let wait = response.headers.first(name: "Retry-After").map { " Retry in \($0) s." } ?? ""
                printToStandardError("taogate: rate limited (429): \(reason)\(wait)")
                throw ExitCode(75)
            default:
                printToStandardError("taogate: the gateway answered \(response.status.code): \(reason)")
                throw ExitCode.failure
            }
        }
        return response
    }
}
