import Foundation
import Logging
import SteadfastConfig
import Synchronization
import Transport

/// OpenRouter with a rotation of models: when the current model is rate-limited or down *before it
/// said anything*, the same call moves on to the next model, and later calls start from there.
///
/// Rotation stops at the first yielded output: from then on a failure is thrown, because only the
/// router above knows what was already spoken and can continue without repeating it. A 402 is never
/// rotated: credits are per key, so every model would fail the same way.
public actor OpenRouterRotationClient: LLM {
    /// Who picks the fallback model.
    public enum Mode: Sendable, Equatable {
        /// We retry the next model ourselves, one request per model, and log every rotation.
        case clientRotation
        /// One request carrying OpenRouter's `models` array; OpenRouter falls back server-side and the
        /// response's `model` field says who served.
        case serverFallback
    }

    public static let defaultBaseURL = OpenAICompatibleLLM.Preset.openRouter.defaultBaseURL

    public nonisolated let providerName = "openrouter"
    public nonisolated let mode: Mode
    /// The rotation, in priority order: the default model first, then the fallbacks.
    public let availableModels: [String]
    private var currentIndex = 0
    /// The model that served the last successful call.
    public private(set) var lastServedModel: String?
    private nonisolated let adapter: OpenAICompatibleLLM
    private nonisolated let logger: Logger
    /// In client rotation, a model that opens its stream but yields no output in this time counts as
    /// stalled and the call rotates to the next model. Keep it below the router's first-token deadline
    /// for this provider so a stall costs one model, not the whole provider.
    public nonisolated let modelFirstTokenDeadline: Duration?

    /// - Parameters:
    ///   - models: default model first, then fallbacks; duplicates and blanks are dropped.
    ///   - appURL: sent as `HTTP-Referer`, OpenRouter's attribution key.
    ///   - appName: sent as `X-Title` and `X-OpenRouter-Title`.
    public init(models: [String], apiKey: Secret?, mode: Mode = .clientRotation, appName: String? = nil,
                appURL: String? = nil, baseURL: URL? = nil, transport: any HTTPTransport,
                modelFirstTokenDeadline: Duration? = .milliseconds(1800),
                logger: Logger = Logger(label: "steadfast.providers.openrouter")) {
        self.modelFirstTokenDeadline = modelFirstTokenDeadline
        var unique: [String] = []
        for model in models.map({ $0.trimmingCharacters(in: .whitespaces) }) where !model.isEmpty && !unique.contains(model) {
            unique.append(model)
        }
        self.availableModels = unique.isEmpty ? ["openrouter/auto"] : unique
        self.mode = mode
        self.logger = logger
        var headers: HTTPHeaders = [:]
        if let appURL, !appURL.isEmpty { headers.set("HTTP-Referer", appURL) }
        if let appName, !appName.isEmpty {
            headers.set("X-Title", appName)
            headers.set("X-OpenRouter-Title", appName)
        }
        self.adapter = OpenAICompatibleLLM(
            preset: .openRouter, model: availableModels[0], apiKey: apiKey, baseURL: baseURL,
            extraHeaders: headers, transport: transport, logger: logger)
    }

    /// The rotation from `SteadfastConfiguration`: `openRouter.defaultModel` (or `fallbackDefault`) then
    /// `openRouter.fallbackModels`, with the OpenRouter key, base URL override and attribution.
    public init(configuration: SteadfastConfiguration, defaultModel fallbackDefault: String, mode: Mode = .clientRotation,
                transport: any HTTPTransport, logger: Logger = Logger(label: "steadfast.providers.openrouter")) {
        let settings = configuration.provider(.openrouter)
        self.init(models: [configuration.openRouter.defaultModel ?? fallbackDefault] + configuration.openRouter.fallbackModels,
                  apiKey: settings.apiKey, mode: mode, appName: configuration.openRouter.appName,
                  appURL: configuration.openRouter.appURL, baseURL: settings.baseURL, transport: transport, logger: logger)
    }

    /// The model the next call starts with.
    public var currentModel: String { availableModels[currentIndex] }
    public var model: String { currentModel }

    /// Makes `name` the current model: an exact id, a bare id ("gpt-4o-mini"), a family ("claude",
    /// "gpt", "gemini", "llama", "mistral") or any substring, case-insensitive. Returns the id chosen.
    @discardableResult
    public func switchModel(to name: String) throws(OpenRouterModelSwitchError) -> String {
        guard let match = OpenRouterModelMatcher.match(name, in: availableModels),
              let index = availableModels.firstIndex(of: match) else {
            throw OpenRouterModelSwitchError(requested: name, availableModels: availableModels)
        }
        currentIndex = index
        return match
    }

    public nonisolated func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMEvent, any Error> {
        AsyncThrowingStream { continuation in
            // Unstructured because the stream builder is synchronous; cancelled by onTermination when
            // the consumer stops or is cancelled, which cancels the inner adapter stream in turn.
            let task = Task {
                do {
                    switch mode {
                    case .clientRotation: try await rotate(request, into: continuation)
                    case .serverFallback: try await serverFallback(request, into: continuation)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: - Client rotation

    private nonisolated func rotate(_ request: LLMRequest,
                                    into continuation: AsyncThrowingStream<LLMEvent, any Error>.Continuation) async throws {
        let models = availableModels
        var index = await currentIndex
        var lastError: ProviderError?
        for attempt in 0..<models.count {
            let model = models[index]
            var modelRequest = request
            modelRequest.model = model
            let yieldedOutput = OutputSeen()
            do {
                try await streamModel(modelRequest, model: model, yieldedOutput: yieldedOutput, into: continuation)
                await served(model)
                return
            } catch {
                let yieldedOutput = yieldedOutput.value
                let failure = Self.annotate(adapter.driverClassifier.classify(error), model: model)
                lastError = failure
                guard !yieldedOutput, Self.shouldRotate(failure), attempt + 1 < models.count else { throw failure }
                let next = (index + 1) % models.count
                logger.warning("OpenRouter model \(model) failed (\(failure.kind.rawValue): \(failure.message)); rotating to \(models[next])",
                               metadata: ["provider.name": "openrouter", "llm.model": "\(model)",
                                          "llm.next_model": "\(models[next])", "error.class": "\(failure.kind.rawValue)"])
                await advance(from: index, to: next)
                index = next
            }
        }
        throw lastError ?? ProviderError(.server, "no OpenRouter model available", provider: "openrouter")
    }

    /// Streams one model, failing with `.timeout` when it stays silent past `modelFirstTokenDeadline`.
    private nonisolated func streamModel(
        _ request: LLMRequest, model: String, yieldedOutput: OutputSeen,
        into continuation: AsyncThrowingStream<LLMEvent, any Error>.Continuation
    ) async throws {
        let events = adapter.stream(request, extraBody: [:], onModel: nil)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await event in events {
                    switch event {
                    case .textDelta(let text) where !text.isEmpty: yieldedOutput.mark()
                    case .toolCall: yieldedOutput.mark()
                    default: break
                    }
                    continuation.yield(event)
                }
                return true
            }
            if let deadline = modelFirstTokenDeadline {
                group.addTask {
                    try await Task.sleep(for: deadline)
                    guard yieldedOutput.value else {
                        throw ProviderError(.timeout, "model \(model) produced no output within \(deadline)",
                                            provider: "openrouter")
                    }
                    return false
                }
            }
            // Done when the stream is; the deadline child either fires first (throws) or steps aside.
            while let streamFinished = try await group.next() {
                if streamFinished {
                    group.cancelAll()
                    return
                }
            }
        }
    }

    /// Moves the rotation on, unless a concurrent call or `switchModel` already moved it.
    private func advance(from index: Int, to next: Int) {
        if currentIndex == index { currentIndex = next }
    }

    private func served(_ model: String) { lastServedModel = model }

    /// Rate limits, outages and stalls are per model, so another model may well work. Quota (402) is
    /// per key, and bad requests would fail everywhere.
    static func shouldRotate(_ error: ProviderError) -> Bool {
        if error.status == 402 || error.kind == .cancelled { return false }
        if let status = error.status, [408, 429, 502, 503].contains(status) { return true }
        return [.rateLimited, .server, .timeout, .network].contains(error.kind)
    }

    /// OpenRouter's `:free` models share one account-wide limit; say so, or the log reads like one model is broken.
    static func annotate(_ error: ProviderError, model: String) -> ProviderError {
        guard model.hasSuffix(":free"), error.status == 429 || error.kind == .rateLimited else { return error }
        return ProviderError(error.kind, "OpenRouter free-tier limit (20/min, 50 or 1000/day) reached on \(model): \(error.message)",
                             provider: error.provider, status: error.status, retryAfter: error.retryAfter,
                             rateLimit: error.rateLimit)
    }

    // MARK: - Server fallback

    private nonisolated func serverFallback(_ request: LLMRequest,
                                            into continuation: AsyncThrowingStream<LLMEvent, any Error>.Continuation) async throws {
        let models = availableModels
        let start = await currentIndex
        let ordered = Array(models[start...] + models[..<start])
        var modelRequest = request
        modelRequest.model = ordered[0]
        let servedBy = Mutex<String?>(nil)
        do {
            let events = adapter.stream(modelRequest, extraBody: ["models": .array(ordered.map(JSONValue.string))],
                                        onModel: { model in servedBy.withLock { $0 = model } })
            for try await event in events { continuation.yield(event) }
        } catch {
            throw Self.annotate(adapter.driverClassifier.classify(error), model: ordered[0])
        }
        await served(servedBy.withLock { $0 } ?? ordered[0])
    }
}

/// Whether a model attempt has produced output yet (shared by the stream and its deadline).
final class OutputSeen: Sendable {
    private let state = Mutex(false)
    func mark() { state.withLock { $0 = true } }
    var value: Bool { state.withLock { $0 } }
}
