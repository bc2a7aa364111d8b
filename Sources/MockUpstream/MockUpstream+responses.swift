import Foundation
import Hummingbird
import LLMClient
import NIOCore
import Synchronization

extension MockUpstream {
    /// `POST /v1/responses`: text, a function call (or a custom tool call), or JSON for
    /// `text.format` (see `MockReply`), with a reasoning item when `reasoning.effort` is set;
    /// plain or streamed. Like OpenAI it keeps responses (unless `store: false`) for
    /// `previous_response_id` and `GET`/`DELETE /v1/responses/{id}`.
    func response(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let denied = checkAuthorization(request, anthropic: false) { return denied }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let responses: ResponsesRequest
        do {
            responses = try JSONDecoder().decode(ResponsesRequest.self, from: Data(body.readableBytesView))
        } catch {
            return Self.error(status: .badRequest, message: "invalid responses request: \(error)", anthropic: false)
        }
        let offered = (responses.tools ?? []).compactMap { tool -> String? in
            switch tool {
            case .function(let name, _, _, _), .custom(let name, _): name
            case .hosted: nil
            }
        }
        let fault = receive(request, body: body, offers: offered) { $0.responsesRequests.append(responses) }
        if let replaced = try await applyFault(fault, to: request, anthropic: false) { return replaced }
        var previous: [ResponsesItem] = []
        if let id = responses.previousResponseID {
            guard let stored = state.withLock({ $0.storedResponses[id] }) else {
                return Self.error(status: .badRequest, message: "Previous response with id '\(id)' not found.", anthropic: false)
            }
            previous = stored.conversation
        }

        let prompt = MockPrompt(responses: responses, previous: previous)
        let answer = MockReply.answer(for: prompt, script: fault?.callTool)
        let customTools = Set((responses.tools ?? []).compactMap { tool -> String? in if case .custom(let name, _) = tool { name } else { nil } })
        var output: [ResponsesItem] = []
        if prompt.wantsReasoning {
            let reasoning = MockReply.reasoning(for: prompt)
            output.append(
                .reasoning(
                    ResponsesReasoning(
                        id: "rs_mock_\(prompt.messageCount)",
                        summary: [reasoning],
                        encryptedContent: MockReply.signature(of: reasoning)
                    )
                )
            )
        }
        switch answer {
        case .text(let text):
            output.append(
                .message(
                    ResponsesMessage(id: "msg_mock_\(prompt.messageCount)", role: "assistant", content: [.outputText(text)], status: "completed")
                )
            )
        case .toolCall(let callID, let name, let arguments):
            if customTools.contains(name) {
                let input = JSONValue(parsing: arguments)?["input"]?.stringValue ?? arguments
                output.append(
                    .customToolCall(ResponsesCustomToolCall(id: "ctc_mock_\(prompt.messageCount)", callID: callID, name: name, input: input))
                )
            } else {
                output.append(
                    .functionCall(ResponsesFunctionCall(id: "fc_mock_\(prompt.messageCount)", callID: callID, name: name, arguments: arguments))
                )
            }
        }
        let id = "resp_mock_\(UUID().uuidString.prefix(8).lowercased())"
        let response = ResponsesResponse(
            id: id,
            createdAt: Int(Date().timeIntervalSince1970),
            status: "completed",
            model: responses.model,
            output: output,
            usage: MockReply.usage(for: responses, previous: previous, script: fault?.callTool),
            instructions: responses.instructions,
            previousResponseID: responses.previousResponseID,
            store: responses.store ?? true
        )
        if responses.store != false {
            state.withLock {
                $0.storedResponses[id] = StoredMockResponse(response: response, conversation: previous + (responses.input?.items ?? []) + output)
            }
        }
        if responses.stream == true { return responseStream(response, fault: fault ?? MockFault()) }
        return Self.json(response)
    }

    /// `GET /v1/responses/{id}` and `DELETE /v1/responses/{id}`.
    func storedResponse(_ request: Request, context: BasicRequestContext, delete: Bool) -> Response {
        if let denied = checkAuthorization(request, anthropic: false) { return denied }
        let id = context.parameters.get("id") ?? ""
        guard let stored = state.withLock({ delete ? $0.storedResponses.removeValue(forKey: id) : $0.storedResponses[id] }) else {
            return Self.error(status: .notFound, message: "No response with id '\(id)' found.", anthropic: false)
        }
        if delete { return Self.json(JSONValue.object(["id": .string(id), "object": .string("response"), "deleted": .bool(true)])) }
        return Self.json(stored.response)
    }

    private func responseStream(_ response: ResponsesResponse, fault: MockFault) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        func json(_ value: some Encodable) -> JSONValue {
            (try? encoder.encode(value)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } ?? .null
        }
        var inProgress = response
        inProgress.status = "in_progress"
        inProgress.output = []
        inProgress.usage = nil
        // Every event in order; faults count the deltas.
        var steps: [(members: [String: JSONValue], isDelta: Bool)] = [
            (["type": .string("response.created"), "response": json(inProgress)], false),
            (["type": .string("response.in_progress"), "response": json(inProgress)], false),
        ]
        for (index, item) in response.output.enumerated() {
            let at = JSONValue.integer(index)
            switch item {
            case .reasoning(let reasoning):
                let id = JSONValue.string(reasoning.id ?? "")
                steps.append(
                    (
                        [
                            "type": .string("response.output_item.added"), "output_index": at,
                            "item": json(ResponsesItem.reasoning(ResponsesReasoning(id: reasoning.id, summary: []))),
                        ], false
                    )
                )
                steps.append(
                    (
                        [
                            "type": .string("response.reasoning_summary_part.added"), "item_id": id, "output_index": at, "summary_index": .integer(0),
                            "part": .object(["type": .string("summary_text"), "text": .string("")]),
                        ], false
                    )
                )
                steps += MockReply.pieces(of: reasoning.text).map {
                    (
                        [
                            "type": .string("response.reasoning_summary_text.delta"), "item_id": id, "output_index": at, "summary_index": .integer(0),
                            "delta": .string($0),
                        ], true
                    )
                }
                steps.append(
                    (
                        [
                            "type": .string("response.reasoning_summary_text.done"), "item_id": id, "output_index": at, "summary_index": .integer(0),
                            "text": .string(reasoning.text),
                        ], false
                    )
                )
            case .message(let message):
                let id = JSONValue.string(message.id ?? "")
                steps.append(
                    (
                        [
                            "type": .string("response.output_item.added"), "output_index": at,
                            "item": json(
                                ResponsesItem.message(ResponsesMessage(id: message.id, role: "assistant", content: [], status: "in_progress"))
                            ),
                        ], false
                    )
                )
                steps.append(
                    (
                        [
                            "type": .string("response.content_part.added"), "item_id": id, "output_index": at, "content_index": .integer(0),
                            "part": json(ResponsesContentPart.outputText("")),
                        ], false
                    )
                )
                steps += MockReply.pieces(of: message.text).map {
                    (
                        [
                            "type": .string("response.output_text.delta"), "item_id": id, "output_index": at, "content_index": .integer(0),
                            "delta": .string($0), "logprobs": .array([]),
                        ], true
                    )
                }
                steps.append(
                    (
                        [
                            "type": .string("response.output_text.done"), "item_id": id, "output_index": at, "content_index": .integer(0),
                            "text": .string(message.text), "logprobs": .array([]),
                        ], false
                    )
                )
                steps.append(
                    (
                        [
                            "type": .string("response.content_part.done"), "item_id": id, "output_index": at, "content_index": .integer(0),
                            "part": json(ResponsesContentPart.outputText(message.text)),
                        ], false
                    )
                )
            case .functionCall(let call):
                var opened = call
                opened.arguments = ""
                opened.status = "in_progress"
                steps.append(
                    (["type": .string("response.output_item.added"), "output_index": at, "item": json(ResponsesItem.functionCall(opened))], false)
                )
                steps += Self.fragments(of: call.arguments).map {
                    (
                        [
                            "type": .string("response.function_call_arguments.delta"), "item_id": .string(call.id ?? ""), "output_index": at,
                            "delta": .string($0),
                        ], true
                    )
                }
                steps.append(
                    (
                        [
                            "type": .string("response.function_call_arguments.done"), "item_id": .string(call.id ?? ""), "output_index": at,
                            "name": .string(call.name), "arguments": .string(call.arguments),
                        ], false
                    )
                )
            case .customToolCall(let call):
                var opened = call
                opened.input = ""
                opened.status = "in_progress"
                steps.append(
                    (["type": .string("response.output_item.added"), "output_index": at, "item": json(ResponsesItem.customToolCall(opened))], false)
                )
                steps.append(
                    (
                        [
                            "type": .string("response.custom_tool_call_input.done"), "item_id": .string(call.id ?? ""), "output_index": at,
                            "input": .string(call.input),
                        ], false
                    )
                )
            default:
                break
            }
            steps.append((["type": .string("response.output_item.done"), "output_index": at, "item": json(item)], false))
        }
        let completed = (["type": JSONValue.string("response.completed"), "response": json(response)], false)
        let events = steps
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let started = ContinuousClock.now
                var sequence = 0
                func event(_ members: [String: JSONValue]) -> ByteBuffer {
                    var members = members
                    members["sequence_number"] = .integer(sequence)
                    sequence += 1
                    return Self.event(JSONValue.object(members).jsonText, name: members["type"]?.stringValue, fault: fault)
                }
                do {
                    var deltas = 0
                    for step in events {
                        if step.isDelta {
                            try await Self.applyStreamFault(
                                fault,
                                at: deltas,
                                writer: &writer,
                                partial: "event: response.output_text.delta\ndata: {\"type\":\"response.out"
                            )
                            deltas += 1
                        }
                        try await writer.write(event(step.members))
                    }
                    if fault.omitDone != true { try await writer.write(event(completed.0)) }
                } catch let error where !(error is MockConnectionCut) {
                    self.noteAbandoned(after: started)
                    throw error
                }
                try await writer.finish(nil)
            }
        )
    }

    /// `POST /v1/embeddings`: a deterministic unit vector per input (`dimensions` long, 8 by
    /// default), as floats or, with `encoding_format: base64`, as little-endian float32 in base64.
    func embeddings(_ request: Request, context: BasicRequestContext) async throws -> Response {
        if let denied = checkAuthorization(request, anthropic: false) { return denied }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        guard let value = JSONValue(parsing: String(buffer: body)), let model = value["model"]?.stringValue, let input = value["input"] else {
            return Self.error(status: .badRequest, message: "invalid embeddings request", anthropic: false)
        }
        let fault = receive(request, body: body, offers: []) { _ in }
        if let replaced = try await applyFault(fault, to: request, anthropic: false) { return replaced }
        let texts: [String]
        switch input {
        case .string(let text): texts = [text]
        case .array(let items): texts = items.map { $0.stringValue ?? $0.jsonText }
        default: return Self.error(status: .badRequest, message: "input must be a string or an array", anthropic: false)
        }
        guard !texts.isEmpty, !texts.contains("") else {
            return Self.error(status: .badRequest, message: "input must not be empty", anthropic: false)
        }
        let dimensions: Int
        if case .integer(let asked) = value["dimensions"] { dimensions = max(1, min(asked, 4096)) } else { dimensions = 8 }
        let base64 = value["encoding_format"]?.stringValue == "base64"
        let data: [JSONValue] = texts.enumerated().map { index, text in
            let vector = MockReply.embedding(of: text, dimensions: dimensions)
            let embedding: JSONValue
            if base64 {
                var bytes: [UInt8] = []
                for number in vector { withUnsafeBytes(of: number.bitPattern.littleEndian) { bytes += $0 } }
                embedding = .string(Data(bytes).base64EncodedString())
            } else {
                embedding = .array(vector.map { .number(Double($0)) })
            }
            return .object(["object": .string("embedding"), "index": .integer(index), "embedding": embedding])
        }
        let tokens = texts.reduce(0) { $0 + MockPrompt.words($1) }
        return Self.json(
            JSONValue.object([
                "object": .string("list"), "data": .array(data), "model": .string(model),
                "usage": .object(["prompt_tokens": .integer(tokens), "total_tokens": .integer(tokens)]),
            ])
        )
    }
}

/// A response the mock keeps, with the conversation it ends.
struct StoredMockResponse: Sendable {
    var response: ResponsesResponse
    var conversation: [ResponsesItem]
}

extension MockReply {
    /// A unit vector that depends only on the text.
    public static func embedding(of text: String, dimensions: Int) -> [Float] {
        var values: [Float] = []
        for index in 0..<dimensions {
            var hash: UInt64 = 14_695_981_039_346_656_037 &+ UInt64(index)
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
            values.append(Float(Int64(bitPattern: hash) % 1000) / 1000)
        }
        let length = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return length > 0 ? values.map { $0 / length } : values
    }
}
