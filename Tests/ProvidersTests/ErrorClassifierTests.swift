import Foundation
import Providers
import Testing
import Transport

@Suite("Error classifier")
struct ErrorClassifierTests {
    static let key = "sk-or-v1-abcdef0123456789abcdef0123456789"
    let classifier = ErrorClassifier(provider: "openrouter", secrets: [Self.key])

    @Test(arguments: [
        (402, #"{"error":{"code":402,"message":"Insufficient credits"}}"#, ErrorClass.quotaExhausted),
        (429, #"{"error":{"message":"Rate limit exceeded"}}"#, .rateLimited),
        (429, #"{"error":{"message":"daily limit reached for free models"}}"#, .quotaExhausted),
        (429, #"{"error":{"type":"insufficient_quota","message":"You exceeded your current quota"}}"#, .quotaExhausted),
        (401, "", .auth),
        (403, #"{"error":{"code":403,"message":"Forbidden"}}"#, .auth),
        (403, #"{"error":{"code":403,"message":"Your input was flagged by moderation","metadata":{"reasons":["x"]}}}"#, .contentPolicy),
        (400, #"{"error":{"message":"maximum context length is 128000 tokens"}}"#, .contextLength),
        (413, #"{"error":{"message":"Request too large: too many tokens"}}"#, .contextLength),
        (422, #"{"error":{"message":"temperature must be <= 2"}}"#, .badRequest),
        (408, "timeout", .timeout),
        (500, "oops", .server), (502, "<html>bad gateway</html>", .server), (503, "", .server), (504, "", .server),
        (529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, .server),
    ])
    func statusAndBody(status: Int, body: String, expected: ErrorClass) {
        let error = classifier.classify(status: status, body: Array(body.utf8))
        #expect(error.kind == expected)
        #expect(error.status == status)
        #expect(error.provider == "openrouter")
    }

    /// The speech vendors' error bodies: the message and vendor code are found, and ElevenLabs'
    /// exhausted quota (a 401) is a quota, not a bad key.
    @Test(arguments: [
        (401, #"{"detail":{"status":"quota_exceeded","message":"This request exceeds your quota of 10000."}}"#,
         ErrorClass.quotaExhausted, "This request exceeds your quota of 10000."),
        (401, #"{"detail":{"status":"invalid_api_key","message":"Invalid API key"}}"#, .auth, "Invalid API key"),
        (429, #"{"detail":{"status":"too_many_concurrent_requests","message":"Too many"}}"#, .rateLimited, "Too many"),
        (400, #"{"err_code":"Bad Request","err_msg":"failed to process audio: corrupt or unsupported data"}"#, .badRequest,
         "failed to process audio: corrupt or unsupported data"),
        (400, #"{"category":"INVALID_JSON","message":"Invalid JSON submitted.","details":"missing field"}"#, .badRequest,
         "Invalid JSON submitted."),
        (429, #"{"error_code":"concurrency_limited","title":"Too many concurrent requests","message":"Limit hit."}"#,
         .rateLimited, "Limit hit."),
        (422, #"{"detail":[{"loc":["body","text"],"msg":"field required"}]}"#, .badRequest, "field required"),
    ])
    func speechVendorBodies(status: Int, body: String, expected: ErrorClass, message: String) {
        let error = classifier.classify(status: status, body: Array(body.utf8))
        #expect(error.kind == expected)
        #expect(error.message.contains(message))
    }

    @Test func retryAfterSecondsAndDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let seconds = classifier.classify(status: 429, body: [], headers: ["Retry-After": "12"], now: now)
        #expect(seconds.retryAfter == .seconds(12))
        let date = classifier.classify(status: 503, body: [], headers: ["retry-after": "Tue, 14 Nov 2023 22:13:50 GMT"], now: now)
        #expect(date.retryAfter == .seconds(30))
        let garbage = classifier.classify(status: 429, body: [], headers: ["Retry-After": "soon"], now: now)
        #expect(garbage.retryAfter == nil)
    }

    @Test func keyIsScrubbedFromMessages() {
        let body = #"{"error":{"message":"Invalid key \#(Self.key) and sk-proj-zzzzzzzzzzzzzzzzzzzzzzzz"}}"#
        let error = classifier.classify(status: 401, body: Array(body.utf8))
        #expect(!error.message.contains(Self.key))
        #expect(!error.message.contains("sk-proj-zzzz"))
        #expect(error.message.contains("[REDACTED]"))
    }

    @Test func streamErrorWithoutStatusUsesType() {
        let error = classifier.classify(streamError: .object(["error": .object([
            "type": .string("overloaded_error"), "message": .string("Overloaded")])]))
        #expect(error.kind == .server)
        #expect(error.status == nil)
    }

    /// Bodies that are not a vendor's error shape still classify by status, never trap, and an
    /// in-stream error nobody can read is the provider's fault; the control shows a readable one is read.
    @Test func nonJSONBodyNeverTraps() {
        for body in ["", "\u{0}\u{1}", "[]", "[1,2]", #"{"error":null}"#, #"{"error":"plain"}"#, #"{"error":{"code":1e300}}"#] {
            let error = classifier.classify(status: 400, body: Array(body.utf8))
            #expect(error.kind == .badRequest && error.status == 400 && error.provider == "openrouter", "\(body): \(error)")
            if let json = JSONValue(parsing: body) {
                let streamed = classifier.classify(streamError: json)
                #expect(streamed.kind == .server && streamed.status == nil, "\(body): \(streamed)")
            }
        }
        let readable = classifier.classify(streamError: .object(["error": .object([
            "code": .number(429), "message": .string("slow down")])]))
        #expect(readable.kind == .rateLimited && readable.status == 429 && readable.message == "slow down", "\(readable)")
    }
}
