import Foundation
import Logging
import Transport

/// Runs one streaming call: sends the request, turns a non-2xx answer into a classified error,
/// feeds body bytes through `SSEParser` and a vendor decoder, and stops promptly on cancellation.
///
/// Shared by every adapter so that error mapping and cancellation behave identically everywhere.
struct SSEStreamDriver: Sendable {
    let transport: any HTTPTransport
    let classifier: ErrorClassifier
    let logger: Logger
    /// Error bodies are read only this far: a misbehaving server cannot make us buffer without bound.
    static let errorBodyLimit = 64 * 1024

    /// Starts the call when the stream is created. The consumer stopping iterating, dropping the
    /// stream, or being cancelled (barge-in) cancels the call (`AsyncThrowingStream.produced`).
    func stream<Decoder: LLMStreamDecoder>(
        request makeRequest: @escaping @Sendable () throws -> HTTPRequest, decoder: Decoder
    ) -> AsyncThrowingStream<LLMEvent, any Error> {
        .produced { continuation in
            do {
                try await run(makeRequest(), decoder: decoder, continuation: continuation)
            } catch {
                let mapped = Task.isCancelled ? ProviderError(.cancelled, "cancelled", provider: classifier.provider)
                    : classifier.classify(error)
                logger.debug("LLM stream failed", metadata: [
                    "provider.name": "\(classifier.provider)", "error.class": "\(mapped.kind.rawValue)",
                ])
                throw mapped
            }
        }
    }

    private func run<Decoder: LLMStreamDecoder>(
        _ request: HTTPRequest, decoder: Decoder, continuation: AsyncThrowingStream<LLMEvent, any Error>.Continuation
    ) async throws {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.head.status) else {
            let body = (try? await response.collectBody(limit: Self.errorBodyLimit)) ?? []
            try Task.checkCancellation()
            throw classifier.classify(status: response.head.status, body: body, headers: response.head.headers)
        }
        var parser = SSEParser()
        var decoder = decoder
        reading: for try await chunk in response.body {
            try Task.checkCancellation()
            for event in parser.feed(chunk) {
                for output in try decoder.decode(event) { continuation.yield(output) }
                if decoder.isComplete { break reading }
            }
        }
        try Task.checkCancellation()
        guard !decoder.isComplete else { return }
        for event in parser.finish() {
            // An event without its blank line is what a cut connection leaves behind: if it does not
            // parse, the stream was truncated, which is a network failure, not a provider bug.
            var outputs: [LLMEvent] = []
            do {
                outputs = try decoder.decode(event)
            } catch {
                throw error.kind == .malformedResponse ? classifier.error(.network, "stream ended early") : error
            }
            for output in outputs { continuation.yield(output) }
            if decoder.isComplete { return }
        }
        for output in try decoder.endOfStream() { continuation.yield(output) }
    }
}
