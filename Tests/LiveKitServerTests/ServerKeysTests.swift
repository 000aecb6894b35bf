import Testing
@testable import LiveKitServer

@Suite("Server keys")
struct ServerKeysTests {
    @Test("KEY:SECRET pairs parse; the secret may contain ':'")
    func parses() throws {
        let keys = try ServerKeys(arguments: ["api1:s3cret", "api2:with:colon"])
        #expect(keys.secret(for: "api1") == "s3cret")
        #expect(keys.secret(for: "api2") == "with:colon")
        #expect(keys.secret(for: "devkey") == nil)
        #expect(ServerKeys.development.secret(for: "devkey") == "secret")
    }

    @Test("Malformed, empty and repeated keys are refused with one line", arguments: [
        (["nocolon"], "no ':'"), ([":secret"], "neither part empty"), (["key:"], "neither part empty"),
        (["a:1", "a:2"], "twice"), ([], "no API keys"),
    ])
    func refuses(arguments: [String], reason: String) {
        #expect {
            _ = try ServerKeys(arguments: arguments)
        } throws: { error in
            "\(error)".contains(reason) && !"\(error)".contains("\n")
        }
    }
}
