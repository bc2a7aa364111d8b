import Foundation
import NIOCore
import Testing

@testable import TaoGate

/// The reference API's body, read without a decoder where it has the usual shape.
@Suite("Reference body scan")
struct ChatInputScanTests {
    private static func decoded(_ text: String) -> ChatInput.Body? {
        try? JSONDecoder().decode(ChatInput.Body.self, from: Data(text.utf8))
    }

    @Test(
        "A body of the usual shape is read as JSONDecoder reads it",
        arguments: [
            #"{"message":"hi","model":"gpt-4o"}"#,
            #"{"message":"hi","userId":"alice","temperature":0.7,"max_tokens":100,"system":"be brief"}"#,
            #"{"message":null,"model":null,"temperature":null}"#,
            #"{"message":"a\"b\\c\u00e9\n\ud83d\ude00"}"#,
            #"{"message":"中文 text"}"#,
            #" { "message" : "spaced" , "temperature" : -0.5 , "max_tokens" : -3 } "#,
            #"{"temperature":0,"max_tokens":0}"#,
            #"{}"#,
        ]
    )
    func usualBodyMatchesTheDecoder(text: String) throws {
        let scanned = try #require(ChatInput.Body.scanned(from: ByteBuffer(string: text)))
        #expect(scanned == Self.decoded(text))
    }

    @Test(
        "A body outside the usual shape is left to JSONDecoder",
        arguments: [
            #"{"message":5}"#,
            #"{"message":"x","extra":1}"#,
            #"{"max_tokens":007}"#,
            #"{"max_tokens":1e3}"#,
            #"{"max_tokens":5.0}"#,
            #"{"temperature":1E-1}"#,
            #"{"temperature":0.1000000000000000055511}"#,
            #"{"temperature":01.5}"#,
            #"{"message":"x"} trailing"#,
            #"{"message":"\ud800"}"#,
            #"["message"]"#,
        ]
    )
    func unusualBodyIsLeftToTheDecoder(text: String) {
        #expect(ChatInput.Body.scanned(from: ByteBuffer(string: text)) == nil)
    }
}
