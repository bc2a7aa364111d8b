import HTTPTypes
import Testing

@testable import TaoGate

@Suite("Reading header fields")
struct HTTPFieldValueTests {
    @Test("A field sent once is read as it was sent")
    func fieldSentOnceIsReadAsSent() {
        let fields: HTTPFields = [.contentType: "application/json", .authorization: "Bearer k"]
        #expect(fields.value(of: .authorization) == "Bearer k")
    }

    @Test("A field sent more than once is read joined, as the subscript reads it")
    func fieldSentTwiceIsReadJoined() {
        var fields = HTTPFields()
        fields.append(HTTPField(name: .authorization, value: "Bearer a"))
        fields.append(HTTPField(name: .contentType, value: "text/plain"))
        fields.append(HTTPField(name: .authorization, value: "Bearer b"))
        #expect(fields.value(of: .authorization) == "Bearer a, Bearer b")
    }

    @Test("A field not sent is nil, and names match in any case")
    func absentFieldIsNilAndNamesIgnoreCase() {
        let fields: HTTPFields = [HTTPField.Name("X-Request-ID")!: "r1"]
        #expect(fields.value(of: .origin) == nil)
        #expect(fields.value(of: HTTPField.Name("x-request-id")!) == "r1")
    }
}
