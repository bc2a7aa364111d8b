import Foundation
import LLMClient
import NIOCore

/// Writes neutral stream events as a Responses stream, for a Responses client whose request went
/// to a provider of another API: `response.created` and `response.in_progress`, then each output
/// item (reasoning, message, function call) opened with `response.output_item.added`, filled with
/// its deltas, and closed with its `.done` events and `response.output_item.done` (which Codex
/// builds its history from), then `response.completed` (or `response.incomplete`) with the whole
/// response and its usage. Every event carries `sequence_number`; `output_index` is the item's
/// place in the order items were added.
struct ResponsesStreamEncoder {
    private enum OpenItem {
        case reasoning(id: String, text: String)
        case message(id: String, text: String)
        case call(id: String, callID: String, name: String, arguments: String, custom: Bool, call: Int)
    }

    private let responseID: String
    private let echo: ResponsesEncoding.Echo
    private let createdAt: Int
    private let encoder: JSONEncoder
    private var sequence = 0
    private var started = false
    private var open: OpenItem?
    private var output: [ResponsesItem] = []
    private var finishReason: LLMFinishReason = .stop
    private var usage: TokenUsage?

    init(responseID: String, echo: ResponsesEncoding.Echo, createdAt: Int = Int(Date().timeIntervalSince1970)) {
        self.responseID = responseID
        self.echo = echo
        self.createdAt = createdAt
        self.encoder = JSONEncoder()
        self.encoder.outputFormatting = [.withoutEscapingSlashes]
    }

    /// The response as finished, for the store (after `finish`).
    private(set) var finished: ResponsesResponse?

    mutating func append(_ event: LLMStreamEvent, to buffer: inout ByteBuffer) {
        start(to: &buffer)
        switch event {
        case .started, .reasoningSignature:
            break
        case .reasoning(let text):
            if case .reasoning(let id, var sofar) = open {
                open = nil  // so that the text grows in place
                sofar += text
                open = .reasoning(id: id, text: sofar)
                writeReasoningDelta(id: id, text, to: &buffer)
                return
            }
            close(to: &buffer)
            let id = "rs_" + RequestIdentifier.next()
            open = .reasoning(id: id, text: text)
            write(
                [
                    "type": "response.output_item.added", "output_index": output.count,
                    "item": item(ResponsesItem.reasoning(ResponsesReasoning(id: id, summary: []))),
                ],
                to: &buffer
            )
            write(
                [
                    "type": "response.reasoning_summary_part.added", "item_id": id, "output_index": output.count, "summary_index": 0,
                    "part": summaryPart(""),
                ],
                to: &buffer
            )
            writeReasoningDelta(id: id, text, to: &buffer)
        case .text(let text):
            if case .message(let id, var sofar) = open {
                open = nil
                sofar += text
                open = .message(id: id, text: sofar)
                writeTextDelta(id: id, text, to: &buffer)
                return
            }
            close(to: &buffer)
            let id = "msg_" + RequestIdentifier.next()
            open = .message(id: id, text: text)
            write(
                [
                    "type": "response.output_item.added", "output_index": output.count,
                    "item": item(ResponsesItem.message(ResponsesMessage(id: id, role: "assistant", content: [], status: "in_progress"))),
                ],
                to: &buffer
            )
            write(
                [
                    "type": "response.content_part.added", "item_id": id, "output_index": output.count, "content_index": 0,
                    "part": item(ResponsesContentPart.outputText("")),
                ],
                to: &buffer
            )
            writeTextDelta(id: id, text, to: &buffer)
        case .toolCallStarted(let call, let callID, let name):
            close(to: &buffer)
            let custom = echo.customTools.contains(name)
            let id = (custom ? "ctc_" : "fc_") + RequestIdentifier.next()
            open = .call(id: id, callID: callID, name: name, arguments: "", custom: custom, call: call)
            let added: ResponsesItem =
                custom
                ? .customToolCall(ResponsesCustomToolCall(id: id, callID: callID, name: name, input: "", status: "in_progress"))
                : .functionCall(ResponsesFunctionCall(id: id, callID: callID, name: name, arguments: "", status: "in_progress"))
            write(["type": "response.output_item.added", "output_index": output.count, "item": item(added)], to: &buffer)
        case .toolCallArguments(let call, let fragment):
            guard case .call(let id, let callID, let name, var arguments, let custom, let open) = open, open == call else { return }
            self.open = nil
            arguments += fragment
            self.open = .call(id: id, callID: callID, name: name, arguments: arguments, custom: custom, call: open)
            // A custom tool's input is whole only once its arguments are; it goes out at the end.
            if !custom { writeArgumentsDelta(id: id, fragment, to: &buffer) }
        case .finished(let reason, _):
            finishReason = reason
        case .usage(let usage):
            self.usage = usage
        }
    }

    /// Closes the open item, then `response.completed` (or `response.incomplete`).
    mutating func finish(to buffer: inout ByteBuffer) {
        start(to: &buffer)
        close(to: &buffer)
        let (status, details) = ResponsesEncoding.status(finishReason)
        let response = ResponsesEncoding.skeleton(
            id: responseID,
            echo: echo,
            createdAt: createdAt,
            status: status,
            output: output,
            usage: usage.map(ResponsesEncoding.usage),
            incompleteDetails: details
        )
        finished = response
        write(["type": status == "completed" ? "response.completed" : "response.incomplete", "response": item(response)], to: &buffer)
    }

    /// A failure after the first byte: `response.failed` with the error's code and message.
    mutating func fail(_ error: GatewayError, to buffer: inout ByteBuffer) {
        start(to: &buffer)
        let failure: JSONValue = .object([
            "code": .string(error.upstreamCode ?? error.code.rawValue),
            "message": .string((error.message ?? error.code.defaultMessage).en),
        ])
        let response = ResponsesEncoding.skeleton(
            id: responseID,
            echo: echo,
            createdAt: createdAt,
            status: "failed",
            output: output,
            usage: usage.map(ResponsesEncoding.usage),
            error: failure
        )
        write(["type": "response.failed", "response": item(response)], to: &buffer)
    }

    // MARK: - Pieces

    private mutating func start(to buffer: inout ByteBuffer) {
        guard !started else { return }
        started = true
        let response = ResponsesEncoding.skeleton(id: responseID, echo: echo, createdAt: createdAt, status: "in_progress", output: [], usage: nil)
        write(["type": "response.created", "response": item(response)], to: &buffer)
        write(["type": "response.in_progress", "response": item(response)], to: &buffer)
    }

    private mutating func close(to buffer: inout ByteBuffer) {
        guard let item = open else { return }
        open = nil
        let index = output.count
        let done: ResponsesItem
        switch item {
        case .reasoning(let id, let text):
            write(
                ["type": "response.reasoning_summary_text.done", "item_id": id, "output_index": index, "summary_index": 0, "text": text],
                to: &buffer
            )
            write(
                [
                    "type": "response.reasoning_summary_part.done", "item_id": id, "output_index": index, "summary_index": 0,
                    "part": summaryPart(text),
                ],
                to: &buffer
            )
            done = .reasoning(ResponsesReasoning(id: id, summary: [text]))
        case .message(let id, let text):
            write(
                [
                    "type": "response.output_text.done", "item_id": id, "output_index": index, "content_index": 0, "text": text,
                    "logprobs": [JSONValue](),
                ],
                to: &buffer
            )
            write(
                [
                    "type": "response.content_part.done", "item_id": id, "output_index": index, "content_index": 0,
                    "part": self.item(ResponsesContentPart.outputText(text)),
                ],
                to: &buffer
            )
            done = .message(ResponsesMessage(id: id, role: "assistant", content: [.outputText(text)], status: "completed"))
        case .call(let id, let callID, let name, let arguments, let custom, _):
            if custom {
                let input = JSONValue(parsing: arguments)?["input"]?.stringValue ?? arguments
                write(["type": "response.custom_tool_call_input.done", "item_id": id, "output_index": index, "input": input], to: &buffer)
                done = .customToolCall(ResponsesCustomToolCall(id: id, callID: callID, name: name, input: input))
            } else {
                write(
                    ["type": "response.function_call_arguments.done", "item_id": id, "output_index": index, "name": name, "arguments": arguments],
                    to: &buffer
                )
                done = .functionCall(ResponsesFunctionCall(id: id, callID: callID, name: name, arguments: arguments))
            }
        }
        write(["type": "response.output_item.done", "output_index": index, "item": self.item(done)], to: &buffer)
        output.append(done)
    }

    // The deltas, most of a stream's events, are written straight into the buffer, with their
    // members in the same sorted order as `write(_:to:)` gives the others.

    private mutating func writeTextDelta(id: String, _ text: String, to buffer: inout ByteBuffer) {
        writeDelta(
            "response.output_text.delta", text, itemID: id,
            leading: ",\"content_index\":0,\"delta\":", beforeIndex: ",\"logprobs\":[],\"output_index\":", to: &buffer
        )
    }

    private mutating func writeReasoningDelta(id: String, _ text: String, to buffer: inout ByteBuffer) {
        writeDelta("response.reasoning_summary_text.delta", text, itemID: id, trailing: ",\"summary_index\":0}\n\n", to: &buffer)
    }

    private mutating func writeArgumentsDelta(id: String, _ fragment: String, to buffer: inout ByteBuffer) {
        writeDelta("response.function_call_arguments.delta", fragment, itemID: id, to: &buffer)
    }

    /// One delta event: its type and sequence number, `leading`, the delta, the item's id,
    /// `beforeIndex`, the output index, then `trailing`, which closes the data.
    private mutating func writeDelta(
        _ type: String,
        _ delta: String,
        itemID: String,
        leading: StaticString = ",\"delta\":",
        beforeIndex: StaticString = ",\"output_index\":",
        trailing: StaticString = "}\n\n",
        to buffer: inout ByteBuffer
    ) {
        writeEventStart(type, to: &buffer)
        buffer.writeStaticString(leading)
        JSONText.writeString(delta, to: &buffer)
        buffer.writeStaticString(",\"item_id\":")
        JSONText.writeString(itemID, to: &buffer)
        buffer.writeStaticString(beforeIndex)
        buffer.writeString(String(output.count))
        buffer.writeStaticString(trailing)
    }

    /// `event: type`, then the data's `type` and `sequence_number`; the caller adds the rest.
    private mutating func writeEventStart(_ type: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("event: ")
        buffer.writeString(type)
        buffer.writeStaticString("\ndata: {\"type\":")
        JSONText.writeString(type, to: &buffer)
        buffer.writeStaticString(",\"sequence_number\":")
        buffer.writeString(String(sequence))
        sequence += 1
    }

    private func summaryPart(_ text: String) -> JSONValue {
        .object(["type": .string("summary_text"), "text": .string(text)])
    }

    private func item(_ value: some Encodable) -> JSONValue {
        (try? encoder.encode(value)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } ?? .null
    }

    /// One event: its members in a fixed order (`type` first, then `sequence_number`).
    private mutating func write(_ members: [String: any Sendable], to buffer: inout ByteBuffer) {
        guard let type = members["type"] as? String else { return }
        writeEventStart(type, to: &buffer)
        for key in members.keys.sorted() where key != "type" {
            buffer.writeStaticString(",")
            JSONText.writeString(key, to: &buffer)
            buffer.writeStaticString(":")
            switch members[key] {
            case let text as String: JSONText.writeString(text, to: &buffer)
            case let number as Int: buffer.writeString(String(number))
            case let value as JSONValue: buffer.writeString(value.jsonText)
            case let values as [JSONValue]: buffer.writeString(JSONValue.array(values).jsonText)
            default: buffer.writeStaticString("null")
            }
        }
        buffer.writeStaticString("}\n\n")
    }
}
