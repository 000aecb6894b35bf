import Foundation
import LiveKitProtocol
import SwiftProtobuf
import TestSupport
import Testing

/// Swift ⇄ official Python `livekit-protocol` for every message the worker and client exchange.
@Suite("LiveKit protocol cross-check with livekit-protocol (Python)", .timeLimit(.minutes(10)))
struct ProtocolInteropTests {
    struct HelperReport: Decodable {
        let match: Bool
        let diff: String
        let python_b64: String
        let python_json: String
    }

    @Test(arguments: ProtocolScenarios.all.keys.sorted())
    func swiftAndPythonAgree(scenario: String) async throws {
        let swiftMessage = try #require(ProtocolScenarios.all[scenario])
        let encoded = try swiftMessage.serializedBytes() as [UInt8]
        let output = try await InteropPython.run(
            script: "Tests/LiveKitProtocolTests/python/protocol_interop.py", [scenario],
            input: Data(encoded).base64EncodedString())
        let report = try JSONDecoder().decode(HelperReport.self, from: Data(output.utf8))

        // Swift → Python: Python parses our bytes into exactly the message it built itself.
        #expect(report.match, "Python decoded Swift's \(scenario) differently:\n\(report.diff)")

        // Python → Swift, binary: we parse Python's bytes into exactly the message we built.
        let pythonBytes = try #require(Data(base64Encoded: report.python_b64))
        let fromBinary = try type(of: swiftMessage).init(serializedBytes: pythonBytes)
        #expect(fromBinary.isEqualTo(message: swiftMessage), "binary from Python differs: \(fromBinary)")

        // Python → Swift, protojson: the server answers in JSON when a client speaks JSON.
        let fromJSON = try type(of: swiftMessage).init(jsonString: report.python_json)
        #expect(fromJSON.isEqualTo(message: swiftMessage), "protojson from Python differs: \(fromJSON)")
    }

    /// Guard against a vacuous cross-check: a deliberately wrong message must be reported as different.
    @Test func helperDetectsAMismatch() async throws {
        var wrong = try #require(ProtocolScenarios.all["SignalRequest.ping_req"] as? Livekit_SignalRequest)
        wrong.pingReq.rtt = 43
        let output = try await InteropPython.run(
            script: "Tests/LiveKitProtocolTests/python/protocol_interop.py", ["SignalRequest.ping_req"],
            input: Data(try wrong.serializedBytes() as [UInt8]).base64EncodedString())
        let report = try JSONDecoder().decode(HelperReport.self, from: Data(output.utf8))
        #expect(!report.match)
        #expect(report.diff.contains("rtt: 43"))
    }

    @Test func everyRequiredMessageIsCovered() {
        let required = [
            "SignalRequest.offer", "SignalRequest.trickle", "SignalRequest.add_track", "SignalRequest.ping_req",
            "SignalRequest.leave", "SignalResponse.join", "SignalResponse.offer", "SignalResponse.trickle",
            "SignalResponse.track_published", "WorkerMessage.register", "WorkerMessage.availability",
            "WorkerMessage.update_worker", "WorkerMessage.update_job", "ServerMessage.register",
            "ServerMessage.availability", "ServerMessage.assignment", "ServerMessage.termination",
        ]
        #expect(Set(required).isSubset(of: ProtocolScenarios.all.keys))
    }
}
