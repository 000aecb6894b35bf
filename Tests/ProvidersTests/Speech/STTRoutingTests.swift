import Audio
import Providers
import Testing

@Suite("STT through FallbackRouter")
struct STTRoutingTests {
    /// A segment whose samples identify it (so "the same segment" can be checked).
    static let segment = AudioFrame(samples: (0..<1600).map { Int16($0 % 200) }, sampleRate: 16_000)

    static func router(_ members: [(ScriptedSTT, ProviderPolicy)], tail: ScriptedSTT? = nil) -> FallbackRouter<STTCapability> {
        var chain = members.map { ChainMember<STTCapability>(name: $0.0.providerName, service: $0.0, policy: $0.1) }
        if let tail { chain.append(ChainMember(name: tail.providerName, service: tail, policy: .lastResort)) }
        return FallbackRouter(name: "stt-test", members: chain)
    }

    struct Heard {
        var transcripts: [Transcript] = []
        var servedBy: String?
        var switches: [(from: String, to: String)] = []
    }

    static func collect(_ stream: AsyncThrowingStream<RoutedEvent<Transcript>, any Error>) async throws -> Heard {
        var heard = Heard()
        for try await event in stream {
            switch event {
            case .event(let transcript): heard.transcripts.append(transcript)
            case .served(let provider, _, _): heard.servedBy = provider
            case .switched(let from, let to, _): heard.switches.append((from, to))
            case .attempt: break
            }
        }
        return heard
    }

    @Test func healthyPrimaryAnswers() async throws {
        let primary = ScriptedSTT.answering("primary", "hello there")
        let backup = ScriptedSTT.answering("backup", "wrong")
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(STTRequest(audio: Self.segment, language: "en-US")))
        #expect(heard.transcripts.map(\.text) == ["hello there"])
        #expect(heard.transcripts.first?.language == "en-US")
        #expect(heard.servedBy == "primary")
        #expect(backup.calls == 0)
    }

    @Test(arguments: [ErrorClass.server, .network, .rateLimited, .auth, .malformedResponse])
    func failingProviderHandsTheSameSegmentToTheNext(kind: ErrorClass) async throws {
        let primary = ScriptedSTT("primary") { _ in [.fail(kind)] }
        let backup = ScriptedSTT.answering("backup", "from backup")
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(STTRequest(audio: Self.segment)))
        #expect(heard.transcripts.map(\.text) == ["from backup"])
        #expect(heard.servedBy == "backup")
        #expect(heard.switches.map(\.from) == ["primary"])
        #expect(backup.receivedAudio == [Self.segment], "the backup got exactly the failed segment")
    }

    @Test func retryOnTheSameProviderGetsTheSameSegment() async throws {
        let flaky = ScriptedSTT("flaky") { call in call == 0 ? [.fail(.server)] : [.answer("second try")] }
        let heard = try await Self.collect(Self.router([(flaky, SpeechPolicies.fast(retries: 1))])
            .stream(STTRequest(audio: Self.segment)))
        #expect(heard.transcripts.map(\.text) == ["second try"])
        #expect(flaky.receivedAudio == [Self.segment, Self.segment])
    }

    @Test func stallingProviderIsAbandonedAtTheDeadline() async throws {
        let silent = ScriptedSTT("silent") { _ in [.stall] }
        let backup = ScriptedSTT.answering("backup", "rescued")
        let heard = try await Self.collect(Self.router([(silent, SpeechPolicies.impatient()), (backup, SpeechPolicies.fast(1))])
            .stream(STTRequest(audio: Self.segment)))
        #expect(heard.transcripts.map(\.text) == ["rescued"])
        #expect(silent.cancellations == 1, "the stalled call was cancelled, not leaked")
    }

    @Test func everyRemoteFailingEndsAtTheLocalTail() async throws {
        let first = ScriptedSTT("first") { _ in [.fail(.server)] }
        let second = ScriptedSTT("second") { _ in [.fail(.timeout)] }
        let local = ScriptedSTT.answering("local", "local words")
        let heard = try await Self.collect(Self.router([(first, SpeechPolicies.fast()), (second, SpeechPolicies.fast(1))],
                                                       tail: local).stream(STTRequest(audio: Self.segment)))
        #expect(heard.servedBy == "local")
        #expect(heard.transcripts.map(\.text) == ["local words"])
        #expect(local.receivedAudio == [Self.segment])
    }

    @Test func emptyTranscriptIsAnAnswerNotAFailure() async throws {
        let primary = ScriptedSTT.answering("primary", "")
        let backup = ScriptedSTT.answering("backup", "should not be asked")
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(STTRequest(audio: .silence(milliseconds: 100, sampleRate: 16_000))))
        #expect(heard.servedBy == "primary")
        #expect(heard.transcripts.count == 1)
        #expect(heard.transcripts.first?.isEmpty == true)
        #expect(backup.calls == 0)
    }

    @Test func defaultStreamingBuffersFramesIntoOneSegment() async throws {
        let stt = ScriptedSTT.answering("segmenting", "joined")
        let (input, feed) = AsyncStream<AudioFrame>.makeStream()
        for chunk in Self.segment.chunked(milliseconds: 20) { feed.yield(chunk) }
        feed.finish()
        var transcripts: [Transcript] = []
        for try await transcript in stt.transcribeStream(input, language: nil) { transcripts.append(transcript) }
        #expect(transcripts.map(\.text) == ["joined"])
        #expect(stt.receivedAudio == [Self.segment], "one call with all frames joined in order")
    }

    @Test func defaultStreamingOfNoAudioIsAnEmptyTranscript() async throws {
        let stt = ScriptedSTT.answering("segmenting", "not called")
        let (input, feed) = AsyncStream<AudioFrame>.makeStream()
        feed.finish()
        var transcripts: [Transcript] = []
        for try await transcript in stt.transcribeStream(input, language: "en") { transcripts.append(transcript) }
        #expect(transcripts == [.empty(language: "en")])
        #expect(stt.calls == 0)
    }
}
