import Foundation
import Providers
import SteadfastConfig
import TestSupport
import Testing
import Transport

/// Providers that answer garbage get a classified error, never a trap: random bytes, mangled
/// fixtures and truncations through every adapter's decoder.
@Suite("Adapters survive garbage")
struct AdapterGarbageTests {
    enum Vendor: String, CaseIterable, Sendable { case openAI, anthropic, gemini }

    static func adapter(_ vendor: Vendor, _ transport: ReplayTransport) -> any LLM {
        switch vendor {
        case .openAI:
            OpenAICompatibleLLM(preset: .openAI, model: "m", apiKey: Secret("sk-garbage-test-key-000000"),
                                transport: transport)
        case .anthropic:
            AnthropicLLM(model: "m", apiKey: Secret("sk-ant-garbage-test-key-0"), transport: transport)
        case .gemini:
            GeminiLLM(model: "m", apiKey: Secret("AIzaGarbageTestKey000000000"), transport: transport)
        }
    }

    static func fixture(_ vendor: Vendor) -> String {
        switch vendor {
        case .openAI: ProviderWireFixtures.openAIText(["Hello", " there"])
        case .anthropic: ProviderWireFixtures.anthropicText(["Hello", " there"])
        case .gemini: ProviderWireFixtures.geminiText(["Hello", " there"])
        }
    }

    @Test(arguments: Vendor.allCases)
    func mutatedStreamsEndInAnAnswerOrAClassifiedError(vendor: Vendor) async {
        var random = SplitMix64(seed: 0xBAD5EED)
        let original = Array(Self.fixture(vendor).utf8)
        let alphabet = Array(#"{}[]":,data: event\n0123456789abcxyz\"#.utf8) + [0, 0xFF, 0xC3]
        for round in 0..<150 {
            var bytes = original
            for _ in 0..<(1 + Int(random.next() % 6)) {
                let index = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 3 {
                case 0: bytes[index] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                case 1: bytes.removeSubrange(index..<min(bytes.count, index + Int(random.next() % 12)))
                default: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: index)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            let transport = ReplayTransport([.sse(String(decoding: bytes, as: UTF8.self))], seed: UInt64(round))
            let result = await collect(Self.adapter(vendor, transport).stream(fullRequest))
            if let error = result.error {
                #expect(error is ProviderError, "round \(round): untyped error \(error)")
            } else {
                #expect(result.finish != nil, "round \(round): a stream without error must finish")
            }
        }
    }

    @Test(arguments: Vendor.allCases)
    func randomBytesAreAMalformedOrTruncatedResponse(vendor: Vendor) async {
        var random = SplitMix64(seed: 42)
        for round in 0..<50 {
            let bytes = (0..<Int(random.next() % 400)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let transport = ReplayTransport([.sse(String(decoding: bytes, as: UTF8.self))], seed: UInt64(round))
            let result = await collect(Self.adapter(vendor, transport).stream(fullRequest))
            let kind = result.providerError?.kind
            #expect(kind == .malformedResponse || kind == .network, "round \(round): \(String(describing: result.error))")
        }
    }

    /// Tool-call arguments streamed without end, or a new call index on every chunk: a classified
    /// malformed response for that provider, not memory growing until the turn's deadline.
    @Test(arguments: [Vendor.openAI, .anthropic])
    func endlessToolCallFragmentsAreMalformedNotUnbounded(vendor: Vendor) async {
        let piece = String(repeating: "x", count: 8_000)
        var sse = ""
        switch vendor {
        case .openAI:
            sse += #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f","arguments":""}}]}}]}"# + "\n\n"
            for _ in 0..<200 {
                sse += #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\#(piece)"}}]}}]}"# + "\n\n"
            }
        default:
            sse += "event: content_block_start\n" + #"data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{}}}"# + "\n\n"
            for _ in 0..<200 {
                sse += "event: content_block_delta\n"
                    + #"data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\#(piece)"}}"# + "\n\n"
            }
        }
        let result = await collect(Self.adapter(vendor, ReplayTransport([.sse(sse)])).stream(fullRequest))
        let error = result.error as? ProviderError
        #expect(error?.kind == .malformedResponse, "\(String(describing: result.error))")
        #expect(error?.message.contains("tool call arguments over") == true)
    }

    @Test func endlesslyManyToolCallsAreMalformed() async {
        var sse = ""
        for index in 0..<500 {
            sse += #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":\#(index),"id":"c\#(index)","function":{"name":"f","arguments":"{}"}}]}}]}"# + "\n\n"
        }
        let result = await collect(Self.adapter(.openAI, ReplayTransport([.sse(sse)])).stream(fullRequest))
        #expect((result.error as? ProviderError)?.kind == .malformedResponse, "\(String(describing: result.error))")
    }
}
