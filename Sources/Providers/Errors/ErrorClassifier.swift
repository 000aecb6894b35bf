import Foundation
import Transport

/// Turns whatever a provider said went wrong into one classified `ProviderError`.
///
/// The router's decisions (retry, cool down, switch provider, give up) hang on `ErrorClass`, and
/// vendors disagree on status codes and bodies, so all the mapping lives here rather than in each
/// adapter. Input is untrusted: bodies may be empty, not JSON, or echo our key; nothing here traps.
public struct ErrorClassifier: Sendable {
    public let provider: String
    let scrubber: SecretScrubber

    /// - Parameter secrets: values that must never appear in a message (the adapter's API key).
    public init(provider: String, secrets: [String] = []) {
        self.provider = provider
        self.scrubber = SecretScrubber(secrets: secrets)
    }

    /// Classifies a non-2xx response from its status, body and headers.
    public func classify(status: Int, body: [UInt8], headers: HTTPHeaders = [:], now: Date = Date()) -> ProviderError {
        let text = String(decoding: body, as: UTF8.self)
        let details = ErrorDetails(body: text)
        let head = HTTPResponseHead(status: status, headers: headers)
        var retryAfter = head.retryAfter(now: now)
        if retryAfter == nil, let delay = details.retryDelay { retryAfter = RetryAfterParsing.protobufDuration(delay) }
        let kind = Self.errorClass(status: status, details: details)
        let message = details.message ?? (text.isEmpty ? "HTTP \(status)" : text)
        let rateLimit = head.rateLimit(now: now)
        return ProviderError(kind, scrubber.scrub(message), provider: provider, status: status, retryAfter: retryAfter,
                             rateLimit: rateLimit.isEmpty ? nil : rateLimit)
    }

    /// Classifies an error object that arrived inside a 200 stream (`data: {"error": …}`, Anthropic
    /// `event: error`, a Gemini error frame). A numeric `code` is treated as the HTTP status it stands for.
    public func classify(streamError json: JSONValue) -> ProviderError {
        let details = ErrorDetails(json: json)
        let status = details.code
        let kind: ErrorClass
        if Self.mentionsMissingModel(details) {
            kind = .modelUnavailable
        } else if let status, (400...599).contains(status) {
            kind = Self.errorClass(status: status, details: details)
        } else {
            // No usable status: the vendor's type string decides; an unknown in-stream failure
            // is the provider's fault, so it is a server error (retryable elsewhere).
            kind = Self.errorClass(type: details.type, message: details.message ?? "") ?? .server
        }
        let message = details.message ?? json.jsonText
        return ProviderError(kind, scrubber.scrub(message), provider: provider, status: status,
                             retryAfter: details.retryDelay.flatMap(RetryAfterParsing.protobufDuration))
    }

    /// Maps anything thrown while talking to a provider: `ProviderError` passes through, `HTTPError`
    /// codes map one to one, cancellation becomes `.cancelled` (never blamed on the provider).
    public func classify(_ error: any Error) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if error is CancellationError { return ProviderError(.cancelled, "cancelled", provider: provider) }
        guard let http = error as? HTTPError else {
            return ProviderError(.network, scrubber.scrub(String(describing: error)), provider: provider)
        }
        let kind: ErrorClass
        switch http.code {
        case .timeout: kind = .timeout
        case .cancelled: kind = .cancelled
        case .connectFailed, .network, .tls: kind = .network
        // Nothing at the HTTP layer depends on the conversation (that travels as a JSON body), so a
        // request libcurl cannot use comes from this provider's URL or headers: its failure, and the
        // next provider may well answer. `.badRequest` would skip every remote provider.
        case .invalidRequest: kind = .network
        }
        return ProviderError(kind, scrubber.scrub(http.message), provider: provider)
    }

    /// A failure we detected ourselves (bad JSON, truncated stream), with provider text scrubbed.
    func error(_ kind: ErrorClass, _ message: String) -> ProviderError {
        ProviderError(kind, scrubber.scrub(message), provider: provider)
    }

    // MARK: - Rules

    static func errorClass(status: Int, details: ErrorDetails) -> ErrorClass {
        let message = details.message ?? ""
        let haystack = (message + " " + (details.type ?? "") + " " + (details.status ?? "")).lowercased()
        if status != 401, status != 403, status != 429, status < 500, mentionsMissingModel(details) {
            return .modelUnavailable
        }
        if let vendorType = details.type?.lowercased(), vendorType == "overloaded_error" { return .server }
        switch status {
        case 402: return .quotaExhausted
        case 429: return mentionsExhaustedQuota(haystack) ? .quotaExhausted : .rateLimited
        // ElevenLabs reports an exhausted character quota as a 401 (`detail.status: quota_exceeded`).
        case 401: return mentionsExhaustedQuota(haystack) ? .quotaExhausted : .auth
        case 403: return mentionsModeration(haystack) ? .contentPolicy : .auth
        case 400, 413, 422:
            if mentionsContextLength(haystack) { return .contextLength }
            if mentionsModeration(haystack), haystack.contains("flagged") { return .contentPolicy }
            return .badRequest
        case 404, 405, 409, 415: return .badRequest
        case 408: return .timeout
        case 500...599: return .server
        default: return status >= 400 && status < 500 ? .badRequest : .server
        }
    }

    /// Classes by vendor error type (Anthropic `overloaded_error`, OpenAI `insufficient_quota`, Google status).
    static func errorClass(type: String?, message: String) -> ErrorClass? {
        if mentionsMissingModel(ErrorDetails(type: type, message: message)) { return .modelUnavailable }
        let type = type?.lowercased() ?? ""
        let haystack = (type + " " + message).lowercased()
        switch type {
        case "overloaded_error", "api_error", "server_error", "internal", "unavailable": return .server
        case "rate_limit_error", "rate_limit_exceeded":
            return mentionsExhaustedQuota(haystack) ? .quotaExhausted : .rateLimited
        case "resource_exhausted": return mentionsExhaustedQuota(haystack) ? .quotaExhausted : .rateLimited
        case "insufficient_quota", "billing_error": return .quotaExhausted
        case "authentication_error", "permission_error", "unauthenticated", "permission_denied": return .auth
        case "timeout_error", "deadline_exceeded": return .timeout
        case "invalid_request_error", "request_too_large", "not_found_error", "invalid_argument":
            return mentionsContextLength(haystack) ? .contextLength : .badRequest
        default:
            if mentionsContextLength(haystack) { return .contextLength }
            if mentionsExhaustedQuota(haystack) { return .quotaExhausted }
            if haystack.contains("rate limit") { return .rateLimited }
            if haystack.contains("overloaded") { return .server }
            return nil
        }
    }

    /// The vendors' "this model does not exist / was retired" answers (checked 2026-12-07, docs/models.md):
    /// OpenAI and Groq `code: model_not_found` (404), Groq `code: model_decommissioned` (400), Anthropic
    /// `not_found_error` naming the model (404), Gemini `status: NOT_FOUND` naming the model (404),
    /// OpenRouter "X is not a valid model ID" (400) and "No endpoints found for X" (404). A 404 that
    /// names no model (a wrong base URL) stays a bad request.
    static func mentionsMissingModel(_ details: ErrorDetails) -> Bool {
        let codes = [details.type, details.codeText, details.status].compactMap { $0?.lowercased() }
        if codes.contains("model_not_found") || codes.contains("model_decommissioned") { return true }
        let message = (details.message ?? "").lowercased()
        if message.contains("is not a valid model id") || message.contains("no endpoints found for")
            || message.contains("has been decommissioned") { return true }
        let notFound = codes.contains("not_found_error") || codes.contains("not_found")
        return notFound && (message.contains("model") || message.hasPrefix("models/"))
    }

    static func mentionsExhaustedQuota(_ text: String) -> Bool {
        // Google's per-minute 429 also says "quota exceeded"; only a daily or billing quota is exhausted.
        if text.contains("per minute") || text.contains("perminute") { return false }
        return ["insufficient_quota", "quota exceeded", "quota_exceeded", "exceeded your current quota", "daily limit",
                "per day", "perday", "out of credits", "insufficient credits"].contains { text.contains($0) }
    }

    static func mentionsContextLength(_ text: String) -> Bool {
        ["context length", "context_length", "maximum context", "context window", "too many tokens",
         "prompt is too long", "input is too long", "token limit"].contains { text.contains($0) }
    }

    static func mentionsModeration(_ text: String) -> Bool {
        ["moderation", "flagged", "content policy", "content_policy", "safety"].contains { text.contains($0) }
    }
}

/// The useful fields of a vendor error body, whichever vendor's shape it has:
/// OpenAI/OpenRouter `{"error":{"message","type","code"}}`, Anthropic `{"type":"error","error":{"type","message"}}`,
/// Google `{"error":{"code","message","status","details":[{"retryDelay"}]}}` (sometimes wrapped in an array),
/// and the speech vendors: ElevenLabs `{"detail":{"status","message"}}`, Deepgram `{"err_code","err_msg"}` or
/// `{"category","message"}`, Cartesia `{"error_code","title","message"}`.
struct ErrorDetails: Sendable {
    var message: String?
    var type: String?
    var code: Int?
    var status: String?
    /// A string `code` (OpenAI's `model_not_found`), kept even when `type` is set.
    var codeText: String?
    var retryDelay: String?

    init(type: String?, message: String) {
        self.type = type
        self.message = message
    }

    init(body: String) {
        if let json = JSONValue(parsing: body) {
            self.init(json: json)
        } else {
            self.init(json: .null)
            message = body.isEmpty ? nil : body
        }
    }

    init(json: JSONValue) {
        var root = json
        if let first = json.arrayValue?.first { root = first }
        let error: JSONValue = root["error"] ?? root
        if let text = error.stringValue {
            message = text
            type = root["type"]?.stringValue
            return
        }
        message = error["message"]?.stringValue ?? root["message"]?.stringValue
        type = error["type"]?.stringValue
        status = error["status"]?.stringValue
        switch error["code"] {
        case .number(let number)? where number.isFinite && abs(number) < 10_000: code = Int(number)
        case .string(let text)?:
            if let number = Int(text) { code = number } else {
                codeText = text
                if type == nil { type = text }
            }
        default: break
        }
        if type == nil { type = status }
        if root["error"] == nil { readSpeechVendorFields(root) }
        if let raw = error["metadata"]?["raw"]?.stringValue, let text = message {
            // OpenRouter wraps the upstream provider's error; keep it, it names the real cause.
            message = text + " (" + raw + ")"
        }
        for detail in error["details"]?.arrayValue ?? [] {
            if let delay = detail["retryDelay"]?.stringValue { retryDelay = delay }
        }
    }

    /// Error bodies without an `error` member: the speech vendors' shapes (see the type comment).
    private mutating func readSpeechVendorFields(_ root: JSONValue) {
        switch root["detail"] {
        case .object?:
            message = message ?? root["detail"]?["message"]?.stringValue
            type = type ?? root["detail"]?["status"]?.stringValue
        case .string(let text)?:
            message = message ?? text
        default: break
        }
        message = message ?? root["err_msg"]?.stringValue ?? root["title"]?.stringValue
        type = type ?? root["err_code"]?.stringValue ?? root["error_code"]?.stringValue ?? root["category"]?.stringValue
    }
}
