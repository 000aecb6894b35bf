import Audio
import Foundation
import Logging
import Transport

/// Runs one cloud speech call: sends the request, turns a non-2xx answer into a classified error
/// through the same `ErrorClassifier` the LLM adapters use, and either parses a JSON answer (STT)
/// or streams a raw PCM body into `AudioFrame`s as it arrives (TTS).
///
/// Shared by every speech adapter so a 429, 402, 401, 5xx, timeout or cancellation is classified
/// identically everywhere, and so that keys never reach an error or a log (`SecretScrubber`).
struct SpeechHTTPDriver: Sendable {
    let transport: any HTTPTransport
    let classifier: ErrorClassifier
    let logger: Logger
    /// Error bodies and JSON answers are read only this far.
    static let bodyLimit = 1 << 20

    var provider: String { classifier.provider }

    /// Sends `request` and returns its JSON answer. Throws a classified `ProviderError`.
    func json(_ request: HTTPRequest) async throws(ProviderError) -> JSONValue {
        do {
            let response = try await transport.send(request)
            try await checkStatus(response)
            let body = try await response.collectBody(limit: Self.bodyLimit)
            try Task.checkCancellation()
            guard let json = JSONValue(parsing: String(decoding: body, as: UTF8.self)), json.objectValue != nil else {
                throw classifier.error(.malformedResponse, "answer is not a JSON object: "
                                       + String(decoding: body.prefix(200), as: UTF8.self))
            }
            return json
        } catch {
            throw failure(error)
        }
    }

    /// Streams raw 16-bit little-endian mono PCM at `sampleRate` as frames, one per received chunk
    /// (a sample split across chunks is carried over). A 200 whose content type is not audio, or
    /// whose body is empty, ends the stream with a `ProviderError`: it is never played as audio.
    /// The consumer stopping (barge-in, router gave up) cancels the transfer.
    func pcmStream(sampleRate: Int, request makeRequest: @escaping @Sendable () throws(ProviderError) -> HTTPRequest)
        -> AsyncThrowingStream<AudioFrame, any Error> {
        .produced { output in
            do {
                try await streamPCM(try makeRequest(), sampleRate: sampleRate, into: output)
            } catch {
                throw failure(error)
            }
        }
    }

    private func streamPCM(_ request: HTTPRequest, sampleRate: Int,
                           into output: AsyncThrowingStream<AudioFrame, any Error>.Continuation) async throws {
        let response = try await transport.send(request)
        try await checkStatus(response)
        let contentType = response.head.headers["Content-Type"]
        guard Self.isAudio(contentType) else { throw try await nonAudioAnswer(response, contentType: contentType) }
        var decoder = PCM16Decoder()
        var samples = 0
        for try await chunk in response.body {
            try Task.checkCancellation()
            let decoded = decoder.decode(chunk)
            guard !decoded.isEmpty else { continue }
            samples += decoded.count
            output.yield(AudioFrame(samples: decoded, sampleRate: sampleRate))
        }
        try Task.checkCancellation()
        if decoder.hasDanglingByte {
            logger.debug("speech audio ended mid-sample; last byte dropped", metadata: ["provider.name": "\(provider)"])
        }
        // Text went in and no audio came out: silence is exactly what the chain exists to prevent.
        guard samples > 0 else { throw classifier.error(.malformedResponse, "200 with an empty audio body") }
    }

    /// Raw PCM arrives as `audio/*` or `application/octet-stream`; some servers send no type at all.
    static func isAudio(_ contentType: String?) -> Bool {
        guard let contentType else { return true }
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type.isEmpty || type.hasPrefix("audio/") || type == "application/octet-stream"
            || type == "binary/octet-stream"
    }

    /// A 200 that carries JSON or text instead of audio: an error the vendor put in a success answer.
    private func nonAudioAnswer(_ response: HTTPResponse, contentType: String?) async throws -> ProviderError {
        let body = (try? await response.collectBody(limit: 64 * 1024)) ?? []
        try Task.checkCancellation()
        let text = String(decoding: body, as: UTF8.self)
        if let json = JSONValue(parsing: text), json.objectValue != nil {
            return classifier.classify(streamError: json)
        }
        return classifier.error(.malformedResponse,
                                "200 with content type \(contentType ?? "none") instead of audio: \(text.prefix(200))")
    }

    private func checkStatus(_ response: HTTPResponse) async throws {
        guard !(200..<300).contains(response.head.status) else { return }
        let body = (try? await response.collectBody(limit: 64 * 1024)) ?? []
        try Task.checkCancellation()
        throw classifier.classify(status: response.head.status, body: body, headers: response.head.headers)
    }

    /// Any failure as a classified, scrubbed `ProviderError`; a cancelled caller is never the provider's fault.
    private func failure(_ error: any Error) -> ProviderError {
        let mapped = Task.isCancelled ? ProviderError(.cancelled, "cancelled", provider: provider) : classifier.classify(error)
        if mapped.kind != .cancelled {
            logger.debug("speech call failed", metadata: [
                "provider.name": "\(provider)", "error.class": "\(mapped.kind.rawValue)",
            ])
        }
        return mapped
    }
}

extension HTTPTimeouts {
    /// Speech calls: connect within 10 s; a safety net on the whole transfer. The router enforces the
    /// real deadlines (first transcript, first audio, gaps) because only it knows whether a fallback exists.
    static let forSpeech = HTTPTimeouts(connect: .seconds(10), firstByte: nil, idle: .seconds(20), total: .seconds(60))
}

extension URL {
    /// A vendor's default base URL from a literal; the fallback is never reached for the literals used.
    static func speechDefault(_ text: String) -> URL { URL(string: text) ?? URL(fileURLWithPath: "/invalid") }
}
