import Audio
import CEspeakNG
import Dispatch
import Synchronization

/// The one owner of libespeak-ng in the process.
///
/// espeak-ng keeps its voice, parameters and callback in global state, so every call goes through
/// one serial queue: two voices never interleave and no call runs on the cooperative pool.
/// Synchronous output mode: `espeak_Synth` returns once the text is spoken, handing audio to the
/// callback in short chunks on the calling thread as it is produced.
final class EspeakEngine: Sendable {
    static let shared = EspeakEngine()

    /// Length of the chunks espeak hands to the callback; short so the first audio is out quickly.
    static let chunkMilliseconds: Int32 = 50

    let queue = DispatchQueue(label: "steadfast.espeak")
    /// Native sample rate once initialized (touched only on `queue`, the Mutex satisfies the checker).
    private let nativeRate = Mutex<Int?>(nil)

    private init() {}

    /// Initializes espeak once (later calls return the cached rate). Blocking: call from any
    /// thread but the queue itself.
    func start() throws(LocalSpeechError) -> Int {
        let result: Result<Int, LocalSpeechError> = queue.sync {
            if let rate = nativeRate.withLock({ $0 }) { return .success(rate) }
            // DONT_EXIT: without it espeak calls exit() when its data is missing.
            let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, Self.chunkMilliseconds, nil, 0x8000)
            guard rate > 0 else {
                return .failure(LocalSpeechError(
                    .missingModel, "espeak-ng could not load its data from \(Self.dataPath()); install the Debian "
                    + "packages espeak-ng and espeak-ng-data (apt-get install espeak-ng)"))
            }
            espeak_SetSynthCallback { wav, count, events in
                // SAFETY: user_data is the SynthesisSink passed to espeak_Synth, which keeps it alive
                // for the whole synchronous call in which this callback runs.
                guard let events, let context = events.pointee.user_data else { return 0 }
                let sink = Unmanaged<SynthesisSink>.fromOpaque(context).takeUnretainedValue()
                guard let wav, count > 0 else { return sink.isCancelled ? 1 : 0 }
                return sink.receive(UnsafeBufferPointer(start: wav, count: Int(count))) ? 0 : 1
            }
            nativeRate.withLock { $0 = Int(rate) }
            return .success(Int(rate))
        }
        return try result.get()
    }

    /// Speaks `text` into `sink`; must run on `queue`. Returns false when espeak refused the text.
    func speak(_ text: String, voice: String, fallbackVoice: String, rate: Int, into sink: SynthesisSink) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        if espeak_SetVoiceByName(voice) != EE_OK { _ = espeak_SetVoiceByName(fallbackVoice) }
        _ = espeak_SetParameter(espeakRATE, Int32(rate), 0)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        let status = withExtendedLifetime(sink) {
            text.withCString { bytes in
                espeak_Synth(bytes, text.utf8.count + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, context)
            }
        }
        return status == EE_OK
    }

    private static func dataPath() -> String {
        var path: UnsafePointer<CChar>?
        _ = espeak_Info(&path)
        return path.map { String(cString: $0) } ?? "/usr/lib/x86_64-linux-gnu/espeak-ng-data"
    }
}

/// Receives one utterance's audio from the espeak callback, resamples it and passes it on.
///
/// SAFETY: `@unchecked Sendable` because `resampler` is only used from `receive`, which espeak
/// calls on the engine's serial queue; the cancel flag is atomic and the continuation is Sendable.
final class SynthesisSink: @unchecked Sendable {
    private let resampler: Resampler
    private let continuation: AsyncThrowingStream<AudioFrame, any Error>.Continuation
    private let cancelled = Atomic<Bool>(false)
    private(set) var producedSamples = 0

    init(nativeRate: Int, outputRate: Int, continuation: AsyncThrowingStream<AudioFrame, any Error>.Continuation)
        throws(AudioError) {
        resampler = try Resampler(from: nativeRate, to: outputRate)
        self.continuation = continuation
    }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Returns false to make espeak stop (the consumer went away).
    func receive(_ samples: UnsafeBufferPointer<Int16>) -> Bool {
        guard !isCancelled else { return false }
        let native = AudioFrame(samples: Array(samples), sampleRate: resampler.inputRate)
        guard let frame = try? resampler.process(native), !frame.isEmpty else { return true }
        producedSamples += frame.samples.count
        continuation.yield(frame)
        return true
    }
}
