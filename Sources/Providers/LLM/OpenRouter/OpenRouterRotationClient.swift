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
    /// USD per million output tokens, `OPENROUTER_MAX_PRICE_PER_MILLION_OUTPUT`'s default.
    public static let defaultPriceCeiling = 10.0

    public nonisolated let providerName = "openrouter"
    public nonisolated let mode: Mode
    /// The rotation, in priority order: the default model first, then the fallbacks, then any model
    /// a voice command chose from the catalogue.
    public private(set) var availableModels: [String]
    /// Models found gone (a model-not-found answer or the start-up check), with why; skipped.
    public private(set) var retiredModels: [String: String] = [:]
    private var currentIndex = 0
    /// OpenRouter's model list, for switching beyond the rotation and for model details; nil: the
    /// rotation alone.
    private nonisolated let catalogue: ModelCatalogueStore?
    private nonisolated let catalogueSource: CatalogueSource?
    /// USD per million output tokens: a voice command never moves past it.
    public nonisolated let priceCeiling: Double
    private nonisolated let wallClock: @Sendable () -> Date
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
    ///   - catalogue: where OpenRouter's model list is fetched and cached (switching by voice beyond
    ///     the rotation, model details); nil limits switching to the rotation.
    ///   - priceCeiling: USD per million output tokens a voice switch may choose (default 10).
    public init(models: [String], apiKey: Secret?, mode: Mode = .clientRotation, appName: String? = nil,
                appURL: String? = nil, baseURL: URL? = nil, transport: any HTTPTransport,
                modelFirstTokenDeadline: Duration? = .milliseconds(1800),
                catalogue: ModelCatalogueStore? = nil, priceCeiling: Double = OpenRouterRotationClient.defaultPriceCeiling,
                logger: Logger = Logger(label: "steadfast.providers.openrouter"),
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.modelFirstTokenDeadline = modelFirstTokenDeadline
        self.catalogue = catalogue
        self.priceCeiling = priceCeiling
        self.wallClock = wallClock
        catalogueSource = (baseURL ?? Self.defaultBaseURL).appendingRawPath("/models").map {
            CatalogueSource(provider: "openrouter", format: .openRouter, url: $0)
        }
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

    /// Makes `name` the current model: an exact id, a bare id ("gpt-6-luna"), a family ("claude",
    /// "gpt", "gemini", "llama", "mistral"), "free", "cheapest", or any substring, case-insensitive.
    /// With a catalogue the whole of OpenRouter is searched (tool-capable, not expiring, under the
    /// price ceiling; the rotation first); without one, the rotation alone. Returns the id chosen.
    @discardableResult
    public func switchModel(to name: String) async throws(OpenRouterModelSwitchError) -> String {
        if let listed = await catalogueNow() {
            let live = availableModels.filter { retiredModels[$0] == nil }
            let chooser = OpenRouterModelChooser(rotation: live, catalogue: listed, priceCeiling: priceCeiling, now: wallClock())
            switch chooser.choose(name) {
            case .success(let model): return use(model)
            case .failure(let refusal): throw refusal
            }
        }
        let live = availableModels.filter { retiredModels[$0] == nil }
        guard let match = OpenRouterModelMatcher.match(name, in: live) else {
            throw OpenRouterModelSwitchError(requested: name, availableModels: live)
        }
        return use(match)
    }

    /// Makes `model` current, adding it after the configured models when a voice command chose it.
    private func use(_ model: String) -> String {
        if let index = availableModels.firstIndex(of: model) {
            currentIndex = index
        } else {
            availableModels.append(model)
            currentIndex = availableModels.count - 1
        }
        retiredModels[model] = nil
        return model
    }

    /// OpenRouter's model list (cached for a day; a failed fetch returns the last copy or nil and never throws).
    private nonisolated func catalogueNow() async -> ModelCatalogue? {
        guard let catalogue, let catalogueSource else { return nil }
        return await catalogue.catalogue(catalogueSource).catalogue
    }

    /// The catalogue's entry for `model` (context length, price), if there is a catalogue.
    public func catalogueEntry(for model: String) async -> CatalogueModel? {
        await catalogueNow()?.model(model)
    }

    /// Takes `model` out of the rotation (found gone); the next live model becomes current if it was.
    public func retireModel(_ model: String, reason: String) {
        guard availableModels.contains(model), retiredModels[model] == nil else { return }
        retiredModels[model] = reason
        if availableModels[currentIndex] == model, let next = nextLive(after: currentIndex) { currentIndex = next }
    }

    private func nextLive(after index: Int) -> Int? {
        let count = availableModels.count
        return (1..<max(count, 1)).lazy.map { (index + $0) % count }.first { retiredModels[availableModels[$0]] == nil }
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
        let (models, retired) = await (availableModels, retiredModels)
        var dead = Set(retired.keys)
        var tried = Set<String>()
        let start = await currentIndex
        // Each model at most once per call, starting from the current one, skipping the gone ones.
        func nextUntried(after index: Int) -> Int? {
            (0..<models.count).lazy.map { (index + $0) % models.count }
                .first { !dead.contains(models[$0]) && !tried.contains(models[$0]) }
        }
        guard var index = nextUntried(after: start) else {
            throw ProviderError(.modelUnavailable, "every configured OpenRouter model is unavailable", provider: "openrouter")
        }
        while true {
            let model = models[index]
            tried.insert(model)
            var modelRequest = request
            modelRequest.model = model
            let yieldedOutput = OutputSeen()
            do {
                try await streamModel(modelRequest, model: model, yieldedOutput: yieldedOutput, into: continuation)
                await served(model)
                return
            } catch {
                let failure = Self.annotate(adapter.driverClassifier.classify(error), model: model)
                if failure.kind == .modelUnavailable {
                    dead.insert(model)
                    await retireModel(model, reason: failure.message)
                }
                guard !yieldedOutput.value, Self.shouldRotate(failure), let next = nextUntried(after: index) else {
                    throw Self.finalError(failure, dead: dead, models: models)
                }
                let what = failure.kind == .modelUnavailable
                    ? "is unavailable, a configuration error (\(failure.message)); fix OPENROUTER_DEFAULT_MODEL or OPENROUTER_FALLBACK_MODELS"
                    : "failed (\(failure.kind.rawValue): \(failure.message))"
                logger.warning("OpenRouter model \(model) \(what); rotating to \(models[next])",
                               metadata: ["provider.name": "openrouter", "llm.model": "\(model)",
                                          "llm.next_model": "\(models[next])", "error.class": "\(failure.kind.rawValue)"])
                await advance(from: index, to: next)
                index = next
            }
        }
    }

    /// A call that ends with every model gone is the member's configuration error; otherwise the last failure.
    static func finalError(_ failure: ProviderError, dead: Set<String>, models: [String]) -> ProviderError {
        guard Set(models).isSubset(of: dead) else { return failure }
        return ProviderError(.modelUnavailable, "every configured OpenRouter model is unavailable (last: \(failure.message))",
                             provider: "openrouter", status: failure.status)
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
        if error.kind == .modelUnavailable { return true }
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
        let (all, retired) = await (availableModels, retiredModels)
        let current = await currentModel
        let models = all.filter { retired[$0] == nil }
        guard !models.isEmpty else {
            throw ProviderError(.modelUnavailable, "every configured OpenRouter model is unavailable", provider: "openrouter")
        }
        let start = models.firstIndex(of: current) ?? 0
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
