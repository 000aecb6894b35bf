import Audio
import Foundation
import LocalSpeech
import Providers
import Synchronization
import TestSupport

/// Speech, noise and engines shared by the voice suites. The engines load once (PocketSphinx takes a second).
enum VoiceFixtures {
    static let espeak: EspeakTTS? = try? EspeakTTS()
    static let pocketsphinx: PocketSphinxSTT? = try? PocketSphinxSTT()

    /// espeak-ng speaking `text` at 48 kHz mono.
    static func speech(_ text: String) async throws -> AudioFrame {
        guard let espeak else { throw FixtureError("espeak-ng is not available") }
        var frames: [AudioFrame] = []
        for try await frame in espeak.synthesize(text, voice: nil) { frames.append(frame) }
        guard let joined = AudioFrame.joined(frames) else { throw FixtureError("espeak-ng produced no audio") }
        return joined
    }

    /// Quiet white noise (a room's floor, about −50 dBFS): the VAD learns its noise model from it.
    static func roomNoise(milliseconds: Int, seed: UInt64 = 7) -> AudioFrame {
        var random = SplitMix64(seed: seed)
        let count = 48 * milliseconds
        return AudioFrame(samples: (0..<count).map { _ in Int16.random(in: -100...100, using: &random) })
    }

    /// `speech` with room noise mixed under it, so the floor does not vanish while someone talks.
    static func noisy(_ speech: AudioFrame, seed: UInt64 = 11) -> AudioFrame {
        let noise = roomNoise(milliseconds: Int(speech.milliseconds) + 1, seed: seed)
        return AudioFrame(samples: zip(speech.samples, noise.samples).map { Int16(clamping: Int($0) + Int($1)) })
    }

    /// Several pieces back to back.
    static func concatenate(_ pieces: [AudioFrame]) -> AudioFrame {
        AudioFrame(samples: pieces.flatMap(\.samples))
    }

    /// Whether the VAD finds speech in `audio` (how a test tells a spoken reply from silence or a beep).
    static func containsSpeech(_ audio: AudioFrame) throws -> Bool {
        var vad = try VoiceActivityDetector()
        let padded = concatenate([roomNoise(milliseconds: 500), noisy(audio), roomNoise(milliseconds: 600)])
        for frame in padded.chunked(milliseconds: 20) {
            var event = try vad.process(frame)
            while let current = event {
                if case .speechStarted = current { return true }
                event = vad.pollEvent()
            }
        }
        return false
    }

    /// Audio as a stream of 20 ms frames, yielded in real time when `paced`.
    static func frames(_ audio: AudioFrame, paced: Bool) -> AsyncStream<AudioFrame> {
        let chunks = audio.chunked(milliseconds: 20)
        return AsyncStream { continuation in
            // Unstructured: feeds the stream; cancelled when the consumer stops listening.
            let task = Task {
                var due = ContinuousClock.now
                for chunk in chunks {
                    if Task.isCancelled { break }
                    if paced {
                        try? await Task.sleep(until: due, clock: .continuous)
                        due += .milliseconds(20)
                    }
                    continuation.yield(chunk)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A chain of one local engine, as the session's STT or TTS router.
    static func sttChain() throws -> FallbackRouter<STTCapability> {
        guard let pocketsphinx else { throw FixtureError("pocketsphinx is not available") }
        return FallbackRouter(name: "stt", members: [ChainMember(name: "pocketsphinx", service: pocketsphinx, policy: .lastResort)])
    }

    static func ttsChain(_ tts: any TTS) -> FallbackRouter<TTSCapability> {
        FallbackRouter(name: "tts", members: [ChainMember(name: tts.providerName, service: tts, policy: .lastResort)])
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects a stream in the background so a test can look at it afterwards.
final class Collector<Element: Sendable>: Sendable {
    private typealias Waiter = (matches: @Sendable (Element) -> Bool, continuation: CheckedContinuation<Element?, Never>)
    private struct State {
        var list: [(element: Element, at: ContinuousClock.Instant)] = []
        var waiters: [Waiter] = []
        var ended = false
    }
    private final class Items: Sendable {
        let state = Mutex(State())
    }

    private let items = Items()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<Element>) {
        let items = self.items
        // Unstructured: lives as long as the stream; it ends when the stream finishes.
        task = Task {
            for await element in stream {
                let ready = items.state.withLock { state in
                    state.list.append((element, .now))
                    let ready = state.waiters.filter { $0.matches(element) }
                    state.waiters.removeAll { $0.matches(element) }
                    return ready
                }
                for waiter in ready { waiter.continuation.resume(returning: element) }
            }
            let waiting = items.state.withLock { state in
                state.ended = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiting { waiter.continuation.resume(returning: nil) }
        }
    }

    var all: [Element] { items.state.withLock { $0.list.map(\.element) } }
    var timed: [(element: Element, at: ContinuousClock.Instant)] { items.state.withLock { $0.list } }

    /// Waits for the first element (already seen or still to come) that matches; nil if the stream
    /// ended without one. A synchronisation point on an event, instead of a sleep.
    func first(where matches: @escaping @Sendable (Element) -> Bool) async -> Element? {
        await withCheckedContinuation { continuation in
            let found: Element?? = items.state.withLock { state in
                if let seen = state.list.first(where: { matches($0.element) }) { return .some(seen.element) }
                if state.ended { return .some(nil) }
                state.waiters.append((matches, continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }

    /// Waits until the stream has ended.
    func finished() async { await task.value }
}
