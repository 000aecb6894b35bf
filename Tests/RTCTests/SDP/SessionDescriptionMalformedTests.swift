import Testing
import TestSupport

@testable import RTC

@Suite("SDP malformed input")
struct SessionDescriptionMalformedTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let sdp: String
        let line: Int
        let reason: String
        var testDescription: String { reason }
    }

    static let header = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n"

    static let cases: [Case] = [
        Case(sdp: "", line: 0, reason: "no v= line"),
        Case(sdp: "o=- 1 1 IN IP4 0.0.0.0\n", line: 1, reason: "first line must be v=0"),
        Case(sdp: "v=1\n", line: 1, reason: "unsupported SDP version"),
        Case(sdp: "v=0\ns=-\n", line: 0, reason: "no o= line"),
        Case(sdp: "v=0\no=- 1 IN IP4 0.0.0.0\n", line: 2, reason: "o= needs 6 fields"),
        Case(sdp: "v=0\no=- 1 x IN IP4 0.0.0.0\n", line: 2, reason: "session version 'x'"),
        Case(sdp: header + "garbage\n", line: 5, reason: "expected '<type>=<value>'"),
        Case(sdp: header + "q=1\n", line: 5, reason: "unknown line type 'q'"),
        Case(sdp: header + "m=audio 9\n", line: 5, reason: "m= needs"),
        Case(sdp: header + "m=audio 70000 RTP/AVP 0\n", line: 5, reason: "m= port '70000'"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\nt=0 0\n", line: 6, reason: "only allowed at session level"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=rtpmap:200 opus/48000\n", line: 6, reason: "payload type '200'"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=rtpmap:111 opus\n", line: 6, reason: "is not name/clock"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=rtpmap:111 opus/0/2\n", line: 6, reason: "clock rate"),
        Case(sdp: header + "a=fingerprint:sha-256 ZZ:01\n", line: 5, reason: "hex byte pairs"),
        Case(sdp: header + "a=fingerprint:sha-256\n", line: 5, reason: "hash-func fingerprint"),
        Case(sdp: header + "a=setup:sometimes\n", line: 5, reason: "not actpass"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=extmap:0 urn:x\n", line: 6, reason: "extmap id '0'"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=extmap:3/sideways urn:x\n", line: 6, reason: "direction 'sideways'"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=ssrc:-5 cname:x\n", line: 6, reason: "a=ssrc id '-5'"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=ssrc-group:FID 1 x\n", line: 6, reason: "a=ssrc-group id 'x'"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=mid:\n", line: 6, reason: "a=mid needs a value"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=msid:a b c\n", line: 6, reason: "a=msid needs"),
        Case(sdp: header + "a=:x\n", line: 5, reason: "attribute name"),
        Case(sdp: header + "m=audio 9 RTP/AVP 0\na=rtcp-fb:x nack\n", line: 6, reason: "rtcp-fb payload type"),
    ]

    @Test(arguments: cases)
    func reportsLineAndReason(_ testCase: Case) {
        #expect {
            _ = try SessionDescription(parsing: testCase.sdp)
        } throws: { error in
            guard let error = error as? RTCError, error.code == .malformedSDP else { return false }
            let linePrefix = testCase.line > 0 ? "SDP line \(testCase.line) " : ""
            return error.message.hasPrefix(linePrefix) && error.message.contains(testCase.reason)
        }
    }

    @Test func crlfLineNumbersCountPhysicalLines() {
        let text = SDPFixtures.crlf(Self.header + "\nm=audio 9 RTP/AVP 0\na=setup:x\n")
        #expect(throws: RTCError(.malformedSDP, "SDP line 7 'a=setup:x': a=setup value 'x' is not actpass, active, passive or holdconn")) {
            _ = try SessionDescription(parsing: text)
        }
    }

    /// Random bytes, and fixtures with random edits: the parser either returns a description that
    /// round-trips or throws `.malformedSDP`; it never traps.
    @Test func randomInputNeverTraps() {
        var random = SplitMix64(seed: 0x5D9_2026)
        let seeds = SDPFixtures.all.map { Array($0.sdp.utf8) }
        let alphabet = Array("v=0o-scmta:/ \r\n\t1289IN IP4extmap rtpmap fingerprint setup ssrc-group mid ".utf8) + [0xFF, 0xC3, 0x00]
        var parsed = 0
        for iteration in 0..<3000 {
            var bytes: [UInt8]
            if iteration % 4 == 0 {
                bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in
                    alphabet.randomElement(using: &random) ?? 0
                }
            } else {
                bytes = seeds[iteration % seeds.count]
                for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                    let position = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes.remove(at: position)
                    case 1: bytes.insert(alphabet.randomElement(using: &random) ?? 0, at: position)
                    default: bytes[position] = UInt8.random(in: 0...255, using: &random)
                    }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let description = try SessionDescription(parsing: text)
                parsed += 1
                let again = try SessionDescription(parsing: description.serialized())
                #expect(again == description, "round trip of mutated input \(iteration)")
            } catch {
                #expect(error.code == .malformedSDP)
            }
        }
        #expect(parsed > 100, "mutations should leave many documents parseable; got \(parsed)")
    }
}
