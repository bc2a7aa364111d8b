import Foundation
import HTTPTypes
import Hummingbird
import LLMClient
import Logging
import NIOCore
import Synchronization

/// The Responses surface: `POST /v1/responses` (plain and streamed), `GET` and
/// `DELETE /v1/responses/{id}`, as Codex and the OpenAI SDKs call them.
///
/// Native to a provider that speaks the Responses API: the body goes upstream as sent and the
/// answer comes back as it was; the provider keeps the response, and TaoGate keeps whose it is.
/// To a provider of another API the request is translated through the neutral core; the answer
/// is kept in TaoGate's own store. Either way (unless `store: false`, as Codex sends) a response
/// belongs to the client key that made it: only that key can read it, continue it with
/// `previous_response_id` or delete it, on every instance of a cluster sharing PostgreSQL.
struct ResponsesController {
    let router: ModelRouter
    let responses: any ResponseStore
    let timeToLive: Duration
    let shutdownGrace: Duration

    func addRoutes(create: GatewayRouteGroup, stored: GatewayRouteGroup) {
        create.post("responses", use: self.create)
        stored.get("responses/{id}", use: show)
        stored.delete("responses/{id}", use: remove)
    }

    /// What the translation made of the request, for the answer and the store.
    private final class Translated: Sendable {
        let value = Mutex<(request: ResponsesRequest, translation: ResponsesDecoding.Translation)?>(nil)
    }

    @Sendable func create(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let (body, fields) = try context.jsonBody
        let model = try fields.validModel()
        guard fields.hasInput || fields.previousResponseID != nil else {
            throw InboundBody.invalid("input is required", param: "input")
        }
        guard router.knows(model) else { throw GatewayError.unknownModel(model) }
        context.record.update {
            $0.model = model
            $0.streamed = fields.stream
        }
        let clientKey = context.clientKey?.id
        // A conversation goes on only from a response of the same key; one TaoGate stored goes on
        // from its store on translated routes.
        var previous: [ResponsesItem]?
        if let id = fields.previousResponseID {
            guard let stored = try await responses.response(id: id, clientKey: clientKey, now: Date()) else {
                throw Self.previousNotFound(id)
            }
            if !stored.isKeptByProvider {
                previous = try? JSONDecoder().decode([ResponsesItem].self, from: Data(stored.conversation.utf8))
            }
        }
        let keys = fields.keys
        let translated = Translated()
        let earlier = previous
        let neutral: @Sendable () throws -> LLMRequest = {
            let decoded = try ClientBody.decode(ResponsesRequest.self, from: body)
            // A response a native provider keeps cannot go on through another API.
            if let id = decoded.previousResponseID, earlier == nil { throw Self.previousNotFound(id) }
            let translation = try ResponsesDecoding.translation(of: decoded, previous: earlier ?? [], presentKeys: keys)
            translated.value.withLock { $0 = (decoded, translation) }
            return translation.request
        }
        let routed = RoutedRequest(api: .responses, model: model, stream: fields.stream, body: body, neutral: neutral)
        let lifetime = RequestLifetime(context: context, shutdownGrace: shutdownGrace)
        let router = self.router
        let started = ContinuousClock.now

        if !fields.stream {
            let answer = try await lifetime.run { try await router.complete(routed, record: context.record) }
            context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
            switch answer {
            case .native(let bytes):
                if let usage = ResponsesUsageSniffer.usage(inResponse: bytes) { context.record.noteUsage(usage) }
                if fields.store, let id = ResponsesUsageSniffer.responseID(inResponse: bytes) {
                    await keepOwner(of: id, clientKey: clientKey, context: context)
                }
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
            case .translated(let answer):
                if let usage = answer.usage { context.record.noteUsage(usage) }
                guard let (decoded, translation) = translated.value.withLock({ $0 }) else { throw GatewayError(.internalError) }
                let echo = ResponsesEncoding.Echo(request: decoded, customTools: translation.customTools)
                let response = ResponsesEncoding.response(answer, id: ResponsesEncoding.newResponseID(), echo: echo)
                try await keep(response, after: (earlier ?? []) + translation.inputItems, clientKey: clientKey, if: echo.store)
                return try ClientBody.json(response)
            }
        }

        let stream = try await lifetime.run { try await router.stream(routed, record: context.record) }
        context.record.update { $0.upstreamLatencyMilliseconds = (ContinuousClock.now - started).milliseconds }
        switch stream {
        case .native(let events):
            let store = fields.store
            return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .responses) { writer in
                try await Self.relayNative(events, context: context, to: &writer) { id in
                    if store { await keepOwner(of: id, clientKey: clientKey, context: context) }
                }
            }
        case .translated(let events, _):
            guard let (decoded, translation) = translated.value.withLock({ $0 }) else { throw GatewayError(.internalError) }
            let echo = ResponsesEncoding.Echo(request: decoded, customTools: translation.customTools)
            let conversation = (earlier ?? []) + translation.inputItems
            return Response.eventStream(context: context, shutdownGrace: shutdownGrace, errors: .responses) { writer in
                var encoder = ResponsesStreamEncoder(responseID: ResponsesEncoding.newResponseID(), echo: echo)
                do {
                    try await StreamRelay.relay(events, record: context.record, to: &writer) { event, buffer in
                        encoder.append(event, to: &buffer)
                    } finish: { buffer in
                        encoder.finish(to: &buffer)
                    }
                } catch let error where !(error is CancellationError) {
                    // A failure after the first byte ends the stream as the API does: `response.failed`.
                    var buffer = ByteBuffer()
                    encoder.fail(context.failure(for: error), to: &buffer)
                    try await writer.write(buffer)
                    return
                }
                if let finished = encoder.finished {
                    try await keep(finished, after: conversation, clientKey: clientKey, if: echo.store)
                }
            }
        }
    }

    /// `GET /v1/responses/{id}`: a response of this key, from TaoGate's store or its provider.
    @Sendable func show(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = try Self.responseID(in: context)
        guard let stored = try await responses.response(id: id, clientKey: context.clientKey?.id, now: Date()) else { throw Self.notFound(id) }
        guard stored.isKeptByProvider else {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: stored.response)))
        }
        guard let body = try await forward(.get, id: id, context: context) else { throw Self.notFound(id) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// `DELETE /v1/responses/{id}`: `{"id","object":"response","deleted":true}`, for a response
    /// of this key (at its provider too, when a provider keeps it).
    @Sendable func remove(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let id = try Self.responseID(in: context)
        let clientKey = context.clientKey?.id
        guard let stored = try await responses.response(id: id, clientKey: clientKey, now: Date()) else { throw Self.notFound(id) }
        if stored.isKeptByProvider {
            guard let body = try await forward(.delete, id: id, context: context) else { throw Self.notFound(id) }
            _ = try await responses.delete(id: id, clientKey: clientKey)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        _ = try await responses.delete(id: id, clientKey: clientKey)
        return try ClientBody.json(JSONValue.object(["id": .string(id), "object": .string("response"), "deleted": .bool(true)]))
    }

    /// Notes which key a native provider's response belongs to. Without the database the answer
    /// still goes out (the provider has served it); the response cannot be found through TaoGate.
    private func keepOwner(of id: String, clientKey: String?, context: GatewayRequestContext) async {
        let now = Date()
        do {
            try await responses.save(
                .keptByProvider(id: id, clientKey: clientKey, createdAt: now, expiresAt: now.addingTimeInterval(timeToLive / .seconds(1)))
            )
        } catch {
            context.logger.warning("could not note whose response this is", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
    }

    /// Keeps a translated response and the conversation it ends, for the key that made it.
    private func keep(_ response: ResponsesResponse, after conversation: [ResponsesItem], clientKey: String?, if store: Bool) async throws {
        guard store else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let now = Date()
        try await responses.save(
            StoredResponse(
                id: response.id,
                clientKey: clientKey,
                createdAt: now,
                expiresAt: now.addingTimeInterval(timeToLive / .seconds(1)),
                response: String(decoding: try encoder.encode(response), as: UTF8.self),
                conversation: String(decoding: try encoder.encode(conversation + response.output), as: UTF8.self)
            )
        )
    }

    /// The native provider's stored response; nil when no provider speaks the Responses API or
    /// it has no such response.
    private func forward(_ call: ModelRouter.StoredResponseCall, id: String, context: GatewayRequestContext) async throws -> ByteBuffer? {
        do {
            return try await router.forwardStoredResponse(call, id: id, record: context.record)
        } catch let error as ProviderError where error.status == 404 {
            return nil
        }
    }

    private static func responseID(in context: GatewayRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.utf8.count <= 128,
            id.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-".unicodeScalars.contains($0))
            })
        else { throw InboundBody.invalid("the response id must be 1 to 128 letters, digits, '_' or '-'", param: "id") }
        return id
    }

    private static func previousNotFound(_ id: String) -> GatewayError {
        var error = GatewayError.invalidRequest(en: "Previous response with id '\(id)' not found.", zh: "未找到 id 为 '\(id)' 的上一个响应。")
        error.param = "previous_response_id"
        error.upstreamCode = "previous_response_not_found"
        return error
    }

    private static func notFound(_ id: String) -> GatewayError {
        GatewayError(.notFound, message: LocalizedMessage(en: "No response with id '\(id)' found.", zh: "未找到 id 为 '\(id)' 的响应。"))
    }

    /// Relays a Responses provider's events as they came, noting the usage of its final event and
    /// handing `owned` the response's id once it is known. A failure after the first byte ends the
    /// stream with `response.failed` for the same response, after its last sequence number (what
    /// the SDKs check). After the final event the rest of the body is read, so its connection
    /// goes back to the pool.
    @concurrent static func relayNative(
        _ events: ServerSentEventStream,
        context: GatewayRequestContext,
        to writer: inout any ResponseBodyWriter,
        owned: @Sendable (String) async -> Void
    ) async throws {
        let record = context.record
        var pending = ByteBuffer()
        var iterator = events.makeAsyncIterator()
        var ended = false
        var responseID: String?
        // The last event relayed: its sequence number is read only when a failure must follow it.
        var lastEventData: ByteBuffer?
        do {
            while !ended {
                var relayed = 0
                var newResponseID: String?
                let more = try await iterator.nextEvents { event in
                    guard !ended else { return }
                    switch ResponsesUsageSniffer.kind(of: event) {
                    case .final:
                        ended = true
                        if let usage = ResponsesUsageSniffer.usage(inEvent: event.dataBytes) { record.noteUsage(usage) }
                    case .delta:
                        relayed += 1
                    case .other:
                        break
                    }
                    if responseID == nil, newResponseID == nil,
                        let id = ResponsesUsageSniffer.identity(ofEvent: event.dataBytes).responseID
                    {
                        newResponseID = id
                    }
                    lastEventData = event.dataBytes
                    OpenAIStreamEvents.append(event, to: &pending)
                }
                guard more else { break }
                // Noted once per read, not once per event: a lock each.
                record.noteRelayedChunks(relayed)
                if let newResponseID {
                    responseID = newResponseID
                    await owned(newResponseID)
                }
                if pending.readableBytes > 0 {
                    try await writer.write(pending)
                    pending.clear()
                }
            }
        } catch let error where !(error is CancellationError) {
            guard let responseID else { throw error }
            if pending.readableBytes > 0 { try await writer.write(pending) }
            var failure = ByteBuffer()
            ErrorDialect.writeResponseFailed(
                context.failure(for: error),
                responseID: responseID,
                sequenceNumber: lastEventData.flatMap { ResponsesUsageSniffer.identity(ofEvent: $0).sequenceNumber }.map { $0 + 1 },
                to: &failure
            )
            try await writer.write(failure)
            return
        }
        if pending.readableBytes > 0 { try await writer.write(pending) }
        if ended { await iterator.drain() }
    }
}
