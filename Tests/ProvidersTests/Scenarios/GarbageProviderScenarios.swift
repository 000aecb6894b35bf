import Foundation
import Providers
import TestSupport
import Testing
import Transport

/// A provider that answers in something other than HTTP fails on its own: the next remote provider
/// answers, not the local last resort (a "bad request" verdict used to skip every remote).
@Suite("Scenarios: a provider answering garbage", .timeLimit(.minutes(1)))
struct GarbageProviderScenarios {
    static let notHTTP: [[UInt8]] = [
        Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8),
        [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00],   // a TLS record on a plain-HTTP port
        Array("\u{0}\u{1}garbage\r\n\r\n".utf8),
    ]

    @Test(arguments: notHTTP)
    func nonHTTPBytesFailOverToTheNextRemoteProvider(bytes: [UInt8]) async throws {
        let garbage = try ScriptedHTTPServer(responses: [ScriptedResponse([.body(bytes), .cut], chunked: false)])
        let good = try ScriptedHTTPServer(responses: [Scenario.sse(ProviderWireFixtures.anthropicText(Scenario.pieces))])
        defer { garbage.stop(); good.stop() }
        let transport = try CurlHTTPClient()
        let router = Scenario.router([Scenario.member(Scenario.openAI(garbage, transport), Scenario.policy(0)),
                                      Scenario.member(Scenario.anthropic(good, transport), Scenario.policy(1))])
        let answer = await Scenario.ask(router)
        Scenario.expectComplete(answer, servedBy: "anthropic")
        #expect(answer.switches.map(\.reason) == ["network"], "\(answer.switches)")
        #expect(good.requests.count == 1)
    }
}
