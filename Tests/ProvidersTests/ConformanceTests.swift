import Audio
import Foundation
import Providers
import SteadfastConfig
import Synchronization
import TestSupport
import Testing
import Transport

/// Our provider requests against strict local servers whose faithfulness is proven by the vendors' own
/// SDKs and LiteLLM (Tests/ProvidersTests/python; docs/providers.md). Each run: the official SDKs and
/// LiteLLM send the issue-19 conversation, which must be accepted; the issue's known-bad requests, which
/// must be rejected with the vendor's error; then our adapters send the same conversation, which must be
/// accepted, and our bodies are compared with the SDKs' on what the vendor cares about. Needs the interop
/// venv (`make peers`); without it the tests fail, never skip.
@Suite("Provider conformance against strict servers, vendor SDKs and LiteLLM", .serialized, .timeLimit(.minutes(4)))
struct ConformanceTests {
    static let key = "sk-conformance-0123456789abcdef"
    static let greeting = "Hello! How can I help you today?"
    static let question = "What is the weather in Paris?"
    static let answer = "It is 18 degrees and sunny in Paris."
    static let followUp = "Thanks, and which model are you?"

    /// The default agent's shape of tools: one with an argument, one without (`getModelInfo`).
    static let tools = [
        ToolDefinition(name: "get_weather", description: "Current weather for a city", parameters: .object([
            "type": .string("object"), "required": .array([.string("city")]),
            "properties": .object(["city": .object(["type": .string("string"), "description": .string("City name")])]),
        ])),
        ToolDefinition(name: "getModelInfo", description: "Which model is answering",
                       parameters: .object(["type": .string("object"), "properties": .object([:])])),
    ]

    /// The conversation as a voice agent holds it: the greeting first, then the issue's turns.
    static func conversation(callID: String = "call_1") -> LLMRequest {
        LLMRequest(messages: [
            .system("You are a helpful voice assistant."),
            .assistant(greeting),
            .user(question),
            .assistant("", toolCalls: [ToolCall(id: callID, name: "get_weather", arguments: #"{"city":"Paris"}"#)]),
            .toolResult(callID: callID, name: "get_weather", content: "18 degrees and sunny"),
            .assistant(answer),
            .user(followUp),
        ], tools: tools, maxTokens: 200)
    }

    // MARK: The strict server

    /// strict_server.py as a child process: its first stdout line is the port; closing its stdin ends it.
    final class StrictServer: @unchecked Sendable {
        // SAFETY: `output` is guarded by its mutex; the process and pipes are set up in init and only stopped after.
        private let process = Process()
        private let stdin = Pipe()
        private let stdout = Pipe()
        private final class Output: Sendable { let data = Mutex(Data()) }
        private let output = Output()
        let transport: CurlHTTPClient

        init() throws {
            process.executableURL = URL(fileURLWithPath: try InteropPython.interpreter())
            process.arguments = [InteropPython.packageRoot
                .appendingPathComponent("Tests/ProvidersTests/python/strict_server.py").path]
            process.standardInput = stdin
            process.standardOutput = stdout
            process.standardError = FileHandle.standardError
            stdout.fileHandleForReading.readabilityHandler = { [output] handle in
                let data = handle.availableData
                output.data.withLock { $0.append(data) }
            }
            transport = try CurlHTTPClient()
            try process.run()
        }

        func port() async throws -> Int {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let line = output.data.withLock { data in data.firstIndex(of: 10).map { Data(data[..<$0]) } }
                if let line, let object = try JSONSerialization.jsonObject(with: line) as? [String: Any],
                   let port = object["port"] as? Int { return port }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw InteropPython.Missing(description: "strict_server.py printed no port")
        }

        func baseURL() async throws -> URL { URL(string: "http://127.0.0.1:\(try await port())")! }

        /// Tags the requests that follow with `name`.
        func label(_ name: String) async throws {
            let url = try await baseURL().appendingPathComponent("_label")
            let response = try await transport.send(HTTPRequest(method: "POST", url: url,
                                                                headers: ["Content-Type": "application/json"],
                                                                body: Array(#"{"case":"\#(name)"}"#.utf8)))
            _ = try await response.collectBody()
        }

        /// Every request the server saw, with its verdict.
        func captured() async throws -> [Captured] {
            let url = try await baseURL().appendingPathComponent("_captured")
            let response = try await transport.send(HTTPRequest(method: "GET", url: url))
            let body = try await response.collectBody(limit: 64 << 20)
            guard case .array(let items)? = JSONValue(parsing: String(decoding: body, as: UTF8.self)) else {
                throw InteropPython.Missing(description: "the strict server's /_captured is not a JSON array")
            }
            return items.map(Captured.init)
        }

        func stop() {
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            stdout.fileHandleForReading.readabilityHandler = nil
        }
    }

    /// One request as the strict server recorded it.
    struct Captured: CustomStringConvertible {
        let json: JSONValue
        init(_ json: JSONValue) { self.json = json }
        var label: String { json["case"]?.stringValue ?? "" }
        var path: String { json["path"]?.stringValue ?? "" }
        var status: Int { json["status"]?.numberValue.map(Int.init) ?? 0 }
        var body: JSONValue { json["body"] ?? .null }
        var error: JSONValue? { json["error"] }
        func header(_ name: String) -> String? { json["headers"]?[name.lowercased()]?.stringValue }
        func query(_ name: String) -> String? { json["query"]?[name]?.arrayValue?.first?.stringValue }
        var description: String { "\(label) \(path) → \(status) \(error?.jsonText ?? "")" }
    }

    static func only(_ captured: [Captured], _ label: String, path: String? = nil) throws -> Captured {
        let matching = captured.filter { $0.label == label && (path == nil || $0.path.hasSuffix(path!)) }
        return try #require(matching.first, "the strict server recorded no request for \(label)")
    }

    static func runSDKs(against server: StrictServer) async throws -> String {
        try await InteropPython.run(script: "Tests/ProvidersTests/python/sdk_requests.py",
                                    [try await server.baseURL().absoluteString])
    }

    // MARK: Tests

    /// The strict servers accept what the official SDKs and LiteLLM send, and reject issue 19's findings
    /// with the vendor's own error body; then our adapters' requests for the same conversation pass.
    @Test func sdkRequestsPassKnownBadAreRejectedAndOursPass() async throws {
        let server = try StrictServer()
        defer { server.stop() }
        let log = try await Self.runSDKs(against: server)
        let base = try await server.baseURL()
        let transport = server.transport

        // Ours: the greeting-first conversation through each LLM adapter, then each speech adapter.
        try await server.label("ours-openai")
        let openAI = OpenAICompatibleLLM(preset: .openAI, model: "gpt-6-luna", apiKey: Secret(Self.key),
                                         baseURL: base.appendingPathComponent("v1"), transport: transport)
        let openAIResult = await collect(openAI.stream(Self.conversation()))
        try await server.label("ours-anthropic")
        let anthropic = AnthropicLLM(model: "claude-haiku-5-5", apiKey: Secret(Self.key), baseURL: base, transport: transport)
        let anthropicResult = await collect(anthropic.stream(Self.conversation(callID: "toolu_1")))
        try await server.label("ours-gemini")
        let gemini = GeminiLLM(model: "gemini-3.5-flash-lite", apiKey: Secret(Self.key), baseURL: base, transport: transport)
        let geminiResult = await collect(gemini.stream(Self.conversation()))
        try await server.label("ours-cartesia")
        let cartesia = await Self.drain(CartesiaTTS(apiKey: Secret(Self.key), baseURL: base, transport: transport)
            .synthesize("Hello there.", voice: nil))
        try await server.label("ours-elevenlabs")
        let elevenLabs = await Self.drain(ElevenLabsTTS(apiKey: Secret(Self.key), baseURL: base, transport: transport)
            .synthesize("Hello there.", voice: nil))
        try await server.label("ours-openai-speech")
        let openAISpeech = await Self.drain(OpenAISpeechTTS(apiKey: Secret(Self.key), baseURL: base.appendingPathComponent("v1"),
                                                            transport: transport).synthesize("Hello there.", voice: nil))
        let utterance = AudioFrame(samples: [Int16](repeating: 0, count: 1600), sampleRate: 16_000)
        let openAITranscript = try await OpenAICompatibleSTT(preset: .openAI, apiKey: Secret(Self.key),
                                                             baseURL: base.appendingPathComponent("v1"), transport: transport)
            .transcribe(utterance, language: "en")
        try await server.label("ours-deepgram")
        let deepgramTranscript = try await DeepgramSTT(apiKey: Secret(Self.key), baseURL: base, transport: transport)
            .transcribe(utterance, language: "en")
        try await server.label("")

        let captured = try await server.captured()
        let failures = captured.filter { !$0.label.hasPrefix("bad-") && $0.status != 200 }
        #expect(failures.isEmpty, "rejected by the strict server:\n\(failures.map(\.description).joined(separator: "\n"))\n\(log)")

        // Every SDK and LiteLLM case reached the server and was accepted.
        for label in ["sdk-openai", "sdk-anthropic", "sdk-gemini", "litellm-openai", "litellm-anthropic", "litellm-gemini",
                      "sdk-deepgram", "sdk-elevenlabs", "sdk-cartesia", "sdk-openai-speech"] {
            #expect(try Self.only(captured, label).status == 200, "\(label)")
        }
        // The findings are rejected, each with its vendor's error shape.
        let rejected: [(String, Int, String)] = [
            ("bad-gemini-empty-properties", 400, "should be non-empty for OBJECT type"),
            ("bad-gemini-additional-properties", 400, "Unknown name \\\"additionalProperties\\\""),
            ("bad-gemini-model-first", 400, "alternate between user and model"),
            ("bad-gemini-not-alternating", 400, "alternate between user and model"),
            ("bad-gemini-no-key", 403, "PERMISSION_DENIED"),
            ("bad-litellm-gemini-greeting-first", 400, "alternate between user and model"),
            ("bad-anthropic-assistant-first", 400, "first message must use the \\\"user\\\" role"),
            ("bad-litellm-anthropic-greeting-first", 400, "first message must use the \\\"user\\\" role"),
            ("bad-anthropic-tool-use-without-result", 400, "without `tool_result` blocks immediately after"),
            ("bad-anthropic-no-version", 400, "anthropic-version"),
            ("bad-openai-max-tokens-reasoning", 400, "max_completion_tokens"),
            ("bad-openai-call-without-result", 400, "must be followed by tool messages"),
            ("bad-cartesia-sunset-model", 400, "model_sunsetted"),
            ("bad-cartesia-x-api-key", 401, "Bearer"),
            ("bad-cartesia-no-version", 400, "Cartesia-Version"),
            ("bad-elevenlabs-no-key", 401, "xi-api-key"),
        ]
        for (label, status, text) in rejected {
            let request = try Self.only(captured, label)
            #expect(request.status == status, "\(request)")
            #expect(request.error?.jsonText.contains(text) == true, "\(request)")
        }

        // Ours: accepted and understood.
        #expect(openAIResult.error == nil && openAIResult.text == "Hello from the strict server.", "\(String(describing: openAIResult.error))")
        #expect(anthropicResult.error == nil && anthropicResult.text == "Hello from the strict server.", "\(String(describing: anthropicResult.error))")
        #expect(geminiResult.error == nil && geminiResult.text == "Hello from the strict server.", "\(String(describing: geminiResult.error))")
        #expect(cartesia.error == nil && cartesia.samples > 0, "\(String(describing: cartesia.error))")
        #expect(elevenLabs.error == nil && elevenLabs.samples > 0, "\(String(describing: elevenLabs.error))")
        #expect(openAISpeech.error == nil && openAISpeech.samples > 0, "\(String(describing: openAISpeech.error))")
        #expect(openAITranscript.text == "What is the weather in Paris?")
        #expect(deepgramTranscript.text == "what is the weather in paris")

        try Self.compareOpenAI(captured)
        try Self.compareAnthropic(captured)
        try Self.compareGemini(captured)
        try Self.compareSpeech(captured)
    }

    /// With one provider's key, a tool-using question is answered end to end through that vendor's
    /// rules: question → tool call → our result → the answer, every request accepted by the strict server.
    @Test(arguments: ["openai", "anthropic", "gemini"])
    func aToolUsingQuestionIsAnsweredEndToEnd(vendor: String) async throws {
        let server = try StrictServer()
        defer { server.stop() }
        let base = try await server.baseURL()
        let llm: any LLM = switch vendor {
        case "openai": OpenAICompatibleLLM(preset: .openAI, model: "gpt-6-luna", apiKey: Secret(Self.key),
                                           baseURL: base.appendingPathComponent("v1"), transport: server.transport)
        case "anthropic": AnthropicLLM(model: "claude-haiku-5-5", apiKey: Secret(Self.key), baseURL: base,
                                       transport: server.transport)
        default: GeminiLLM(model: "gemini-3.5-flash-lite", apiKey: Secret(Self.key), baseURL: base, transport: server.transport)
        }
        var request = LLMRequest(messages: [.system("You are a helpful voice assistant."), .assistant(Self.greeting),
                                            .user(Self.question)], tools: Self.tools, maxTokens: 200)
        let first = await collect(llm.stream(request))
        #expect(first.error == nil, "\(String(describing: first.error))")
        let call = try #require(first.toolCalls.first, "the strict server answers a weather question with a tool call")
        #expect(call.name == "get_weather")
        #expect(JSONValue(parsing: call.arguments)?["city"] == .string("Paris"))
        request.messages.append(.assistant(first.text, toolCalls: first.toolCalls))
        request.messages.append(.toolResult(callID: call.id, name: call.name, content: "18 degrees and sunny"))
        let second = await collect(llm.stream(request))
        #expect(second.error == nil, "\(String(describing: second.error))")
        #expect(second.text == Self.answer)
        let captured = try await server.captured()
        #expect(captured.count == 2 && captured.allSatisfy { $0.status == 200 }, "\(captured)")
    }

    // MARK: Comparisons with the SDKs (what the vendor cares about)

    static func compareOpenAI(_ captured: [Captured]) throws {
        let sdk = try only(captured, "sdk-openai"), ours = try only(captured, "ours-openai")
        let litellm = try only(captured, "litellm-openai")
        #expect(ours.path == sdk.path)
        #expect(ours.header("Authorization") == sdk.header("Authorization"))
        #expect(ours.body["stream"] == sdk.body["stream"] && ours.body["stream_options"] == sdk.body["stream_options"])
        // The reasoning model's token limit field, as the SDK user chose it for gpt-6 (max_tokens is rejected).
        #expect(ours.body["max_completion_tokens"] == .number(200) && ours.body["max_tokens"] == nil)
        #expect(roles(ours.body["messages"]) == roles(sdk.body["messages"]))
        #expect(roles(ours.body["messages"]) == roles(litellm.body["messages"]))
        #expect(ours.body["tools"] == sdk.body["tools"], "tool declarations, the parameter-less one included, as the SDK sends them")
        // The tool-call round trip in the same place with the same fields.
        #expect(ours.body["messages"]?.arrayValue?[3] == sdk.body["messages"]?.arrayValue?[3])
        #expect(ours.body["messages"]?.arrayValue?[4] == sdk.body["messages"]?.arrayValue?[4])
        // Harmless differences: we add tool_choice "auto" (the API default) and, for GPT-6 with tools,
        // reasoning_effort "none" (function calling on Chat Completions needs it; docs/models.md).
    }

    static func compareAnthropic(_ captured: [Captured]) throws {
        let sdk = try only(captured, "sdk-anthropic"), ours = try only(captured, "ours-anthropic")
        let litellm = try only(captured, "litellm-anthropic")
        #expect(ours.path == sdk.path)
        // Auth and version: we send x-api-key with anthropic-version 2023-06-01, as LiteLLM does; the SDK
        // (2.10.0) sends Authorization: Bearer with 2026-10-21. Both accepted; the stream format we decode is
        // the one 2023-06-01 documents.
        #expect(ours.header("x-api-key") == litellm.header("x-api-key"))
        #expect(ours.header("anthropic-version") == litellm.header("anthropic-version"))
        #expect(ours.body["stream"] == sdk.body["stream"])
        #expect(ours.body["system"]?.stringValue == sdk.body["system"]?.stringValue)
        // Ours starts with the opening user turn, then the greeting; after it, the SDK's order exactly.
        let ourRoles = roles(ours.body["messages"])
        #expect(ourRoles.first == "user" && ourRoles == ["user", "assistant"] + roles(sdk.body["messages"]))
        let ourMessages = ours.body["messages"]?.arrayValue ?? []
        let sdkMessages = sdk.body["messages"]?.arrayValue ?? []
        #expect(ourMessages.count == sdkMessages.count + 2)
        if ourMessages.count == sdkMessages.count + 2 {
            // tool_use in the assistant turn, tool_result first in the next user turn: same blocks as the SDK's.
            #expect(ourMessages[3] == sdkMessages[1])
            #expect(ourMessages[4]["content"]?.arrayValue?.first == sdkMessages[2]["content"]?.arrayValue?.first)
        }
        #expect(ours.body["tools"]?.arrayValue?.map { $0["input_schema"] } == sdk.body["tools"]?.arrayValue?.map { $0["input_schema"] })
        #expect(ours.body["tools"]?.arrayValue?.map { $0["name"] } == litellm.body["tools"]?.arrayValue?.map { $0["name"] })
    }

    static func compareGemini(_ captured: [Captured]) throws {
        let sdk = try only(captured, "sdk-gemini"), ours = try only(captured, "ours-gemini")
        let litellm = try only(captured, "litellm-gemini")
        // google-genai 3.3.0 calls /v1, LiteLLM /v1beta as we do (thoughtSignature replay is a v1beta field).
        #expect(ours.path == litellm.path && sdk.path.hasSuffix(":streamGenerateContent"))
        #expect(ours.query("alt") == "sse" && sdk.query("alt") == "sse")
        #expect(ours.header("x-goog-api-key") == sdk.header("x-goog-api-key"))
        let ourRoles = roles(ours.body["contents"])
        #expect(ourRoles == ["user", "model"] + roles(sdk.body["contents"]), "opening user turn, greeting, then the SDK's turns")
        let ourContents = ours.body["contents"]?.arrayValue ?? []
        let sdkContents = sdk.body["contents"]?.arrayValue ?? []
        if ourContents.count == sdkContents.count + 2 {
            #expect(ourContents[3] == sdkContents[1], "functionCall turn as google-genai sends it")
            #expect(ourContents[4] == sdkContents[2], "functionResponse turn as google-genai sends it")
        }
        let ourDeclarations = ours.body["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue ?? []
        let sdkDeclarations = sdk.body["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue ?? []
        #expect(ourDeclarations.count == 2 && sdkDeclarations.count == 2)
        // The parameter-less tool: no `parameters`, exactly as google-genai declares it.
        #expect(ourDeclarations.last == sdkDeclarations.last)
        // The tool with a parameter: the same schema (google-genai writes the types in upper case).
        #expect(ourDeclarations.first?["parameters"].map(uppercasedTypes) == sdkDeclarations.first?["parameters"])
        #expect(ours.body["systemInstruction"]?["parts"] == sdk.body["systemInstruction"]?["parts"])
    }

    static func compareSpeech(_ captured: [Captured]) throws {
        let pairs: [(String, String, [String])] = [
            ("sdk-cartesia", "ours-cartesia", ["Authorization"]),
            ("sdk-elevenlabs", "ours-elevenlabs", ["xi-api-key"]),
            ("sdk-deepgram", "ours-deepgram", ["Authorization"]),
        ]
        for (sdkLabel, ourLabel, headers) in pairs {
            let sdk = try only(captured, sdkLabel), ours = try only(captured, ourLabel)
            #expect(ours.path == sdk.path, "\(ourLabel)")
            for header in headers { #expect(ours.header(header) == sdk.header(header), "\(ourLabel) \(header)") }
        }
        let cartesiaSDK = try only(captured, "sdk-cartesia"), cartesia = try only(captured, "ours-cartesia")
        #expect(cartesia.body == cartesiaSDK.body)
        // The SDK pins Cartesia-Version 2026-08-14; we send 2026-03-01, the newest the API reference lists.
        #expect(cartesia.header("Cartesia-Version") == "2026-03-01")
        let elevenSDK = try only(captured, "sdk-elevenlabs"), eleven = try only(captured, "ours-elevenlabs")
        #expect(eleven.body == elevenSDK.body && eleven.query("output_format") == elevenSDK.query("output_format"))
        let deepgramSDK = try only(captured, "sdk-deepgram"), deepgram = try only(captured, "ours-deepgram")
        #expect(deepgram.query("model") == deepgramSDK.query("model") && deepgram.query("smart_format") == deepgramSDK.query("smart_format"))
        let speechSDK = try only(captured, "sdk-openai-speech", path: "/audio/speech")
        let speech = try only(captured, "ours-openai-speech", path: "/audio/speech")
        #expect(speech.body == speechSDK.body && speech.header("Authorization") == speechSDK.header("Authorization"))
        let transcriptionSDK = try only(captured, "sdk-openai-speech", path: "/audio/transcriptions")
        let transcription = try only(captured, "ours-openai-speech", path: "/audio/transcriptions")
        #expect(transcription.body["model"] == transcriptionSDK.body["model"])
        #expect(transcription.body["response_format"] == transcriptionSDK.body["response_format"])
        #expect(transcription.body["language"] == transcriptionSDK.body["language"])
    }

    // MARK: Helpers

    static func roles(_ messages: JSONValue?) -> [String] {
        messages?.arrayValue?.compactMap { $0["role"]?.stringValue } ?? []
    }

    static func uppercasedTypes(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let object):
            var copy: [String: JSONValue] = [:]
            for (key, value) in object {
                if key == "type", let text = value.stringValue { copy[key] = .string(text.uppercased()) }
                else if key == "properties", case .object(let properties) = value { copy[key] = .object(properties.mapValues(uppercasedTypes)) }
                else { copy[key] = uppercasedTypes(value) }
            }
            return .object(copy)
        case .array(let items): return .array(items.map(uppercasedTypes))
        default: return schema
        }
    }

    struct Drained { var samples = 0; var error: (any Error)? }

    static func drain(_ stream: AsyncThrowingStream<AudioFrame, any Error>) async -> Drained {
        var drained = Drained()
        do { for try await frame in stream { drained.samples += frame.samples.count } } catch { drained.error = error }
        return drained
    }
}
