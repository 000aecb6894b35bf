import Foundation
import Testing
@testable import LiveKitServer

/// The official realtime SDK (`livekit` 1.2.0, Rust livekit-ffi) against our `/rtc`: it is the judge
/// of the signalling. Fails (never skips) when the interop venv is missing.
@Suite("Official LiveKit SDK signalling", .serialized)
struct OfficialSDKSignalTests {
    @Test("Two official-SDK participants join one room, see each other, share attributes and leave")
    func twoParticipants() async throws {
        let result = try await ServerHarness.withServer { server in
            try await ServerHarness.python("rtc_clients.py", ["two_participants", server.url, ServerHarness.key, ServerHarness.secret])
        }
        #expect((result["alice_sid"] as? String)?.hasPrefix("PA_") == true)
        #expect((result["room_sid"] as? String)?.hasPrefix("RM_") == true)
        #expect(result["bob_sees"] as? [String] == ["alice"])
        #expect(result["alice_sees"] as? [String] == ["bob"])
        #expect(result["bob_kind_seen_by_alice"] as? Int == 0)
        #expect(result["bob_attributes_seen_by_alice"] as? [String: String] == ["mood": "calm"])
        #expect(result["alice_sees_after_leave"] as? [String] == [])
    }

    @Test("A token signed with the wrong secret is refused at once (401, no retry)")
    func forgedToken() async throws {
        let result = try await ServerHarness.withServer { server in
            try await ServerHarness.python("rtc_clients.py", ["forged", server.url, ServerHarness.key, ServerHarness.secret])
        }
        #expect(result["connected"] as? Bool == false)
        #expect((result["seconds"] as? Double ?? 99) < 10)
    }

    @Test("One official-SDK participant publishes a 440 Hz then 880 Hz tone; another hears both, in order, at full level")
    func toneForwarded() async throws {
        let result = try await ServerHarness.withServer { server in
            try await ServerHarness.python("rtc_clients.py", ["tone", server.url, ServerHarness.key, ServerHarness.secret])
        }
        #expect((result["track_sid"] as? String)?.hasPrefix("TR_") == true)
        #expect(result["remote_track_sid"] as? String == result["track_sid"] as? String)
        // 200 ms windows: [dominant Hz, RMS]; the tone is 0.3 of full scale (RMS ≈ 6950).
        let windows = (result["windows"] as? [[Int]] ?? []).filter { $0.count == 2 && $0[1] > 3000 }
        let peaks = windows.map { $0[0] }
        let first440 = try #require(peaks.firstIndex { abs($0 - 440) <= 10 }, "\(result)")
        let first880 = try #require(peaks.firstIndex { abs($0 - 880) <= 10 }, "\(result)")
        #expect(first440 < first880)
        #expect(peaks.filter { abs($0 - 440) > 10 && abs($0 - 880) > 10 }.isEmpty, "\(result)")
        #expect(windows.count >= 15, "\(result)")
    }

    @Test("Data packets: reliable→reliable and lossy→lossy with the sender's identity; destination identities honoured")
    func dataForwarded() async throws {
        let result = try await ServerHarness.withServer { server in
            try await ServerHarness.python("rtc_clients.py", ["data", server.url, ServerHarness.key, ServerHarness.secret])
        }
        let alice = result["alice"] as? [[AnyHashable]] ?? []
        let carol = result["carol"] as? [[AnyHashable]] ?? []
        // [payload, sender identity, kind (1 reliable, 0 lossy), topic]
        #expect(alice.first == ["hello-reliable", "bob", 1, "t1"], "\(result)")
        #expect(alice.contains(["hello-lossy", "bob", 0, "t2"]), "\(result)")
        #expect(!alice.contains { $0.first as? String == "only-carol" }, "\(result)")
        #expect(carol.contains(["only-carol", "bob", 1, ""]), "\(result)")
    }
}
