import LLMClient
import MockUpstream
import Testing

@Suite("Conversation history")
struct HistoryTests {
    @Test("With userId the previous exchange goes upstream before the new message")
    func previousExchangeGoesUpstream() async throws {
        try await LiveGateway.run { gateway in
            let first = try await gateway.post("/api/chat", json: #"{"message":"first","userId":"alice"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"second","userId":"alice"}"#)
            let sent = gateway.mock.chatRequests[1].messages
            #expect(sent == [.user("first"), .assistant(first.json["response"] as! String), .user("second")])
        }
    }

    @Test("Only the last HISTORY_CONTEXT_MESSAGES messages go upstream")
    func onlyTheContextWindowGoesUpstream() async throws {
        try await LiveGateway.run(["HISTORY_CONTEXT_MESSAGES": "3"]) { gateway in
            for index in 1...3 {
                _ = try await gateway.post("/api/chat", json: #"{"message":"m\#(index)","userId":"bob"}"#)
            }
            _ = try await gateway.post("/api/chat", json: #"{"message":"m4","userId":"bob"}"#)
            let sent = gateway.mock.chatRequests[3].messages
            #expect(sent.count == 4)
            #expect(sent.map(\.role) == ["assistant", "user", "assistant", "user"])
            #expect(sent[1] == .user("m3"))
            #expect(sent.last == .user("m4"))
        }
    }

    @Test("Only the last HISTORY_MAX_MESSAGES messages are kept")
    func onlyTheLastMessagesAreKept() async throws {
        try await LiveGateway.run(["HISTORY_MAX_MESSAGES": "4"]) { gateway in
            for index in 1...3 {
                _ = try await gateway.post("/api/chat", json: #"{"message":"m\#(index)","userId":"carol"}"#)
            }
            let stored = try await gateway.get("/api/conversations/carol").json["messages"] as! [[String: Any]]
            #expect(stored.count == 4)
            #expect(stored.map { $0["content"] as? String }.compactMap { $0 }.filter { $0.hasPrefix("m") } == ["m2", "m3"])
        }
    }

    @Test("A reply longer than MAX_MESSAGE_CHARS is kept cut to that many characters")
    func longRepliesAreKeptCut() async throws {
        try await LiveGateway.run(["MAX_MESSAGE_CHARS": "12"]) { gateway in
            let reply = try await gateway.post("/api/chat", json: #"{"message":"hello","userId":"erin"}"#)
            let full = try #require(reply.json["response"] as? String)
            try #require(full.count > 12)
            let stored = try await gateway.get("/api/conversations/erin").json["messages"] as! [[String: Any]]
            #expect(stored.map { $0["content"] as? String } == ["hello", String(full.prefix(12))])
        }
    }

    @Test("GET /api/conversations/{userId} returns the stored messages with roles and timestamps")
    func conversationIsReturned() async throws {
        try await LiveGateway.run { gateway in
            let reply = try await gateway.post("/api/chat", json: #"{"message":"hello","userId":"dave"}"#)
            let response = try await gateway.get("/api/conversations/dave")
            #expect(response.status == 200)
            #expect(response.json["success"] as? Bool == true)
            let messages = try #require(response.json["messages"] as? [[String: Any]])
            #expect(messages.map { $0["role"] as? String } == ["user", "assistant"])
            #expect(messages.map { $0["content"] as? String } == ["hello", reply.json["response"] as? String])
            #expect(messages.allSatisfy { ($0["timestamp"] as? String)?.isEmpty == false })
        }
    }

    @Test("DELETE /api/conversations/{userId} clears the history")
    func deleteClearsHistory() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"hello","userId":"erin"}"#)
            let deleted = try await gateway.delete("/api/conversations/erin")
            #expect(deleted.status == 200)
            #expect(deleted.json["success"] as? Bool == true)
            #expect((deleted.json["message"] as? String)?.isEmpty == false)
            let after = try await gateway.get("/api/conversations/erin")
            #expect((after.json["messages"] as? [Any])?.isEmpty == true)
            _ = try await gateway.post("/api/chat", json: #"{"message":"again","userId":"erin"}"#)
            #expect(gateway.mock.chatRequests.last?.messages == [.user("again")])
        }
    }

    @Test("Without userId nothing is stored and no history is sent")
    func withoutUserIDNothingIsStored() async throws {
        try await LiveGateway.run { gateway in
            _ = try await gateway.post("/api/chat", json: #"{"message":"one"}"#)
            _ = try await gateway.post("/api/chat", json: #"{"message":"two"}"#)
            #expect(gateway.mock.chatRequests.last?.messages == [.user("two")])
        }
    }

    @Test("A streamed reply is stored when the stream completes")
    func streamedReplyIsStored() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.post("/api/chat/stream", json: #"{"message":"stream it","userId":"frank"}"#)
            let messages = try await gateway.get("/api/conversations/frank").json["messages"] as! [[String: Any]]
            #expect(messages.map { $0["content"] as? String } == ["stream it", response.streamedText])
        }
    }

    @Test("A stream that fails midway stores nothing")
    func failedStreamStoresNothing() async throws {
        try await LiveGateway.run { gateway in
            gateway.mock.inject(MockFault(cutAfterChunks: 2))
            _ = try await gateway.post("/api/chat/stream", json: #"{"message":"a b c d","userId":"gina"}"#)
            let messages = try await gateway.get("/api/conversations/gina").json["messages"] as! [Any]
            #expect(messages.isEmpty)
        }
    }

    @Test("Concurrent requests for one user neither lose nor interleave messages")
    func concurrentRequestsKeepPairsTogether() async throws {
        try await LiveGateway.run(["HISTORY_MAX_MESSAGES": "100", "HISTORY_CONTEXT_MESSAGES": "0"]) { gateway in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        let response = try await gateway.post("/api/chat", json: #"{"message":"q\#(index)","userId":"henry"}"#)
                        #expect(response.status == 200)
                    }
                }
                try await group.waitForAll()
            }
            let messages = try await gateway.get("/api/conversations/henry").json["messages"] as! [[String: Any]]
            #expect(messages.count == 40)
            for pair in stride(from: 0, to: messages.count, by: 2) {
                let question = try #require(messages[pair]["content"] as? String)
                let answer = try #require(messages[pair + 1]["content"] as? String)
                #expect(messages[pair]["role"] as? String == "user")
                #expect(answer.contains("\"\(question)\""))
            }
            let questions = Set(stride(from: 0, to: 40, by: 2).compactMap { messages[$0]["content"] as? String })
            #expect(questions == Set((0..<20).map { "q\($0)" }))
        }
    }

    @Test("An invalid userId in the path gets 400")
    func invalidPathUserIDGets400() async throws {
        try await LiveGateway.run { gateway in
            let response = try await gateway.get("/api/conversations/\(String(repeating: "x", count: 200))")
            #expect(response.status == 400)
            #expect(response.json["code"] as? String == "invalid_request")
        }
    }
}
