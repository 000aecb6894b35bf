import Audio
import Providers
import Synchronization
import Voice

/// 8. Voice pipeline overhead (issue 5 §7): from the end of the user's turn as the pipeline decides
/// it (VAD end plus the endpointing delay: the `TurnDetector`'s `.endOfTurn`) to the first agent
/// audio frame leaving `AgentSession.audioOutput`, with providers that answer at once.
///
/// A real `AgentSession` (instant STT, LLM and TTS behind the production routers) is fed espeak-ng
/// turns frame by frame; after each frame the feeder waits until the session is idle, as a live
/// room leaves it 20 ms between frames. Three figures per turn:
/// - self-reported: `TurnMetrics.turnEndToFirstAudio` from the `.metrics` event;
/// - from outside: the instant the feeder hands the session the frame that ends the turn (a twin
///   `TurnDetector` says which one) to the instant a consumer of `audioOutput` receives the reply's
///   first frame — this includes the VAD on that frame, the actor hops and the consumer's wake-up;
/// - `.stateChanged(.thinking)` as received by an event consumer to that first frame.
/// Two parts of the self-reported figure show where it goes: the LLM chain's and the TTS chain's
/// first output (`llmTimeToFirstToken`, `ttsTimeToFirstByte`).
/// Baseline: the same instant LLM and TTS called directly (LLM stream → `SentenceChunker` → first
/// TTS frame), so the session's overhead is a ratio. Both pacings run: `.realTime` is production.
enum PipelineOverheadBenchmark {
    static let name = "8. Voice pipeline: end of turn → first audio"
    static let limit = Duration.milliseconds(25)

    struct Outcome {
        var result: (rows: [ResultRow], derived: [DerivedRow])
        /// Process CPU per second of input audio, one sample per turn (real-time pacing).
        var sessionCPU = Samples()
    }

    static func run(_ options: BenchOptions, conversation: VoiceFixtures.Conversation, warmupTurns: Int)
        async throws -> Outcome {
        let turns = conversation.endOfTurnFrames.count - warmupTurns
        progress("\(name): baseline, \(warmupTurns) warm-up and \(turns) timed direct LLM → TTS calls")
        let baseline = try await directBaseline(iterations: turns, warmup: warmupTurns)
        var outcome = Outcome(result: ([ResultRow(
            benchmark: name, scenario: "Baseline: instant LLM → `SentenceChunker` → instant TTS, called directly",
            samples: baseline)], []))
        for pacing in [AgentSessionOptions.Pacing.unpaced, .realTime] {
            progress("\(name): \(pacing) session, \(conversation.endOfTurnFrames.count) turns "
                     + String(format: "(%.0f s of audio)", conversation.seconds))
            let run = try await sessionRun(pacing: pacing, conversation: conversation, warmupTurns: warmupTurns)
            let label = pacing == .realTime ? "`.realTime`" : "`.unpaced`"
            outcome.result.rows += [
                ResultRow(benchmark: name, scenario: "**Session, \(label)**: `TurnMetrics.turnEndToFirstAudio` (self-reported)",
                          samples: run.selfReported, baseline: baseline, target: "< 25 ms", limit: limit),
                ResultRow(benchmark: name,
                          scenario: "**Session, \(label)**: feeder hands over the end-of-turn frame → consumer gets first frame",
                          samples: run.external, baseline: baseline, target: "< 25 ms", limit: limit),
                ResultRow(benchmark: name, scenario: "Session, \(label): consumer gets `.thinking` → consumer gets first frame",
                          samples: run.thinking, baseline: baseline),
                ResultRow(benchmark: name, scenario: "Session, \(label), part of it: LLM chain call → first text "
                          + "(`llmTimeToFirstToken`)", samples: run.llmFirstText, baseline: baseline),
                ResultRow(benchmark: name, scenario: "Session, \(label), part of it: first clause to the TTS chain → "
                          + "its first audio (`ttsTimeToFirstByte`)", samples: run.ttsFirstAudio,
                          baseline: baseline),
            ]
            if pacing == .realTime { outcome.sessionCPU = run.cpu }
        }
        return outcome
    }

    /// What a session's consumers saw, stamped on arrival.
    private final class Arrivals: Sendable {
        let audio = Mutex<[ContinuousClock.Instant]>([])
        let thinking = Mutex<[ContinuousClock.Instant]>([])
        let metrics = Mutex<[TurnMetrics]>([])
    }

    private struct SessionRun {
        var selfReported = Samples(), external = Samples(), thinking = Samples(), cpu = Samples()
        /// Parts of the self-reported figure: the LLM chain's first text, the TTS chain's first audio.
        var llmFirstText = Samples(), ttsFirstAudio = Samples()
    }

    private static func sessionRun(pacing: AgentSessionOptions.Pacing, conversation: VoiceFixtures.Conversation,
                                   warmupTurns: Int) async throws -> SessionRun {
        let session = try AgentSession(
            agent: BenchAgent(), llm: VoiceFixtures.llmChain(), stt: VoiceFixtures.sttChain(),
            tts: VoiceFixtures.ttsChain(), options: AgentSessionOptions(pacing: pacing))
        let arrivals = Arrivals()
        var handedOver: [ContinuousClock.Instant] = []
        var cpu = Samples()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in session.audioOutput { arrivals.audio.withLock { $0.append(.now) } }
            }
            group.addTask {
                for await event in session.events {
                    switch event {
                    case .stateChanged(.thinking): arrivals.thinking.withLock { $0.append(.now) }
                    case .metrics(let metrics): arrivals.metrics.withLock { $0.append(metrics) }
                    default: break
                    }
                }
            }
            await session.start()
            let ends = Set(conversation.endOfTurnFrames)
            let starts = conversation.turnStarts + [conversation.frames.count]
            for turn in 0..<(starts.count - 1) {
                let cpuStart = CPUClock.process()
                for index in starts[turn]..<starts[turn + 1] {
                    let start = ContinuousClock.now
                    await session.consume(conversation.frames[index])
                    if ends.contains(index) { handedOver.append(start) }
                    await session.waitUntilIdle()
                }
                let audioSeconds = Double(starts[turn + 1] - starts[turn]) / Double(VoiceFixtures.framesPerSecond)
                if turn >= warmupTurns { cpu.add(seconds: (CPUClock.process() - cpuStart) / audioSeconds) }
            }
            // Ends both streams, so the consumers finish and the group returns.
            await session.close()
        }
        return try collect(arrivals: arrivals, handedOver: handedOver, warmupTurns: warmupTurns, cpu: cpu)
    }

    private static func collect(arrivals: Arrivals, handedOver: [ContinuousClock.Instant], warmupTurns: Int,
                                cpu: Samples) throws -> SessionRun {
        let audio = arrivals.audio.withLock { $0 }
        let thinking = arrivals.thinking.withLock { $0 }
        let metrics = arrivals.metrics.withLock { $0 }
        let turns = handedOver.count
        guard audio.count == turns * VoiceFixtures.replyFrames, thinking.count == turns, metrics.count == turns else {
            throw BenchFailure("\(turns) turns ended but the consumers saw \(audio.count) frames, "
                               + "\(thinking.count) thinking states and \(metrics.count) metrics")
        }
        var run = SessionRun(cpu: cpu)
        for turn in warmupTurns..<turns {
            let firstFrame = audio[turn * VoiceFixtures.replyFrames]
            guard let reported = metrics[turn].turnEndToFirstAudio, firstFrame > handedOver[turn] else {
                throw BenchFailure("turn \(turn): no first-audio metric, or audio before the turn ended")
            }
            run.selfReported.add(reported)
            run.external.add(firstFrame - handedOver[turn])
            run.thinking.add(firstFrame - thinking[turn])
            if let llm = metrics[turn].llmTimeToFirstToken { run.llmFirstText.add(llm) }
            if let tts = metrics[turn].ttsTimeToFirstByte { run.ttsFirstAudio.add(tts) }
        }
        return run
    }

    /// The providers alone: from calling the LLM to the first TTS frame of the first clause.
    private static func directBaseline(iterations: Int, warmup: Int) async throws -> Samples {
        let (llm, tts) = (VoiceFixtures.instantLLM(), InstantTTS())
        let request = LLMRequest(messages: [.user(VoiceFixtures.transcript)])
        return try await measure(iterations: iterations, warmup: warmup) {
            let start = ContinuousClock.now
            var chunker = SentenceChunker()
            var clause: String?
            for try await event in llm.stream(request) {
                guard case .textDelta(let delta) = event else { continue }
                if let first = chunker.append(delta).first {
                    clause = first
                    break
                }
            }
            guard let text = clause ?? chunker.finish() else { throw BenchFailure("the LLM said nothing") }
            for try await _ in tts.synthesize(text, voice: nil) { return [ContinuousClock.now - start] }
            throw BenchFailure("the TTS rendered nothing")
        }[0]
    }
}
