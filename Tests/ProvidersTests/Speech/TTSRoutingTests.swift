import Audio
import Providers
import Testing

@Suite("TTS through FallbackRouter")
struct TTSRoutingTests {
    static let text = "First sentence. Second sentence! Third sentence?"
    static let sentences = ["First sentence.", "Second sentence!", "Third sentence?"]

    static func router(_ members: [(ScriptedTTS, ProviderPolicy)]) -> FallbackRouter<TTSCapability> {
        FallbackRouter(name: "tts-test",
                       members: members.map { ChainMember(name: $0.0.providerName, service: $0.0, policy: $0.1) })
    }

    /// What the listener got: per audio event, its sentence and the provider marker in its samples.
    struct Heard {
        var audio: [(sentence: Int, marker: Int16, samples: Int, rate: Int)] = []
        var finishedSentences: [Int] = []
        var finished = 0
        var servedBy: String?
        var switches: [String] = []

        /// Sentence → the markers of every provider whose audio the listener heard for it.
        var speakers: [Int: Set<Int16>] {
            audio.reduce(into: [:]) { $0[$1.sentence, default: []].insert($1.marker) }
        }
        var sentenceOrder: [Int] { audio.map(\.sentence) }
    }

    static func collect(_ stream: AsyncThrowingStream<RoutedEvent<TTSEvent>, any Error>) async throws -> Heard {
        var heard = Heard()
        for try await event in stream {
            switch event {
            case .event(.audio(let sentence, let audio)):
                heard.audio.append((sentence, audio.samples.first ?? 0, audio.samples.count, audio.sampleRate))
            case .event(.sentenceFinished(let index)): heard.finishedSentences.append(index)
            case .event(.finished): heard.finished += 1
            case .served(let provider, _, _): heard.servedBy = provider
            case .switched(let from, _, _): heard.switches.append(from)
            case .attempt: break
            }
        }
        return heard
    }

    static func request(_ text: String = text) -> TTSRequest { TTSRequest(text: text, outputSampleRate: nil) }

    @Test func healthyProviderSpeaksEverySentenceInOrder() async throws {
        let primary = ScriptedTTS.speaking("primary", marker: 1)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast())]).stream(Self.request()))
        #expect(primary.spokenTexts == Self.sentences)
        #expect(heard.sentenceOrder == [0, 0, 0, 1, 1, 1, 2, 2, 2])
        #expect(heard.finishedSentences == [0, 1, 2])
        #expect(heard.finished == 1)
        #expect(heard.servedBy == "primary")
    }

    @Test func failureBeforeAnyAudioRestartsFromTheBeginningOnTheNextProvider() async throws {
        let primary = ScriptedTTS("primary", marker: 1) { _, _ in [.fail(.server)] }
        let backup = ScriptedTTS.speaking("backup", marker: 2)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(Self.request()))
        #expect(backup.spokenTexts == Self.sentences)
        #expect(heard.speakers == [0: [2], 1: [2], 2: [2]])
        #expect(heard.servedBy == "backup")
    }

    @Test func failureBetweenSentencesContinuesWithTheNextSentenceAndLosesNothing() async throws {
        let primary = ScriptedTTS("primary", marker: 1) { call, _ in
            call == 0 ? [.frame(samples: 480), .frame(samples: 480)] : [.fail(.network)]
        }
        let backup = ScriptedTTS.speaking("backup", marker: 2)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(Self.request()))
        #expect(backup.spokenTexts == Array(Self.sentences[1...]), "the backup starts at the first unspoken sentence")
        #expect(heard.speakers == [0: [1], 1: [2], 2: [2]])
        #expect(heard.finishedSentences == [0, 1, 2])
        #expect(heard.finished == 1)
        #expect(heard.switches == ["primary"])
    }

    @Test func failureMidSentenceNeverRepeatsAudio() async throws {
        let primary = ScriptedTTS("primary", marker: 1) { call, _ in
            call == 0 ? [.frame(samples: 480)] : [.frame(samples: 480), .fail(.server)]
        }
        let backup = ScriptedTTS.speaking("backup", marker: 2)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(Self.request()))
        #expect(backup.spokenTexts == [Self.sentences[2]], "the cut-off sentence is not spoken again")
        #expect(heard.speakers == [0: [1], 1: [1], 2: [2]], "each sentence has exactly one voice")
        #expect(heard.sentenceOrder == heard.sentenceOrder.sorted(), "audio never goes back to an earlier sentence")
        #expect(heard.finished == 1)
    }

    @Test func stallMidAnswerIsCutByTheIdleTimeoutAndTheBackupContinues() async throws {
        let primary = ScriptedTTS("primary", marker: 1) { call, _ in
            call == 0 ? [.frame(samples: 480)] : [.stall]
        }
        let backup = ScriptedTTS.speaking("backup", marker: 2)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.impatient()), (backup, SpeechPolicies.fast(1))])
            .stream(Self.request()))
        #expect(backup.spokenTexts == Array(Self.sentences[1...]))
        #expect(heard.speakers == [0: [1], 1: [2], 2: [2]])
        #expect(heard.servedBy == "backup")
    }

    @Test func twoFailuresInARowStillEndWithEverySentenceSpokenOnce() async throws {
        let first = ScriptedTTS("first", marker: 1) { call, _ in call == 0 ? [.frame(samples: 480)] : [.fail(.server)] }
        let second = ScriptedTTS("second", marker: 2) { call, _ in call == 0 ? [.frame(samples: 480)] : [.fail(.network)] }
        let third = ScriptedTTS.speaking("third", marker: 3)
        let heard = try await Self.collect(Self.router([(first, SpeechPolicies.fast()), (second, SpeechPolicies.fast(1)),
                                                        (third, SpeechPolicies.fast(2))]).stream(Self.request()))
        #expect(second.spokenTexts.first == Self.sentences[1])
        #expect(third.spokenTexts == [Self.sentences[2]])
        #expect(heard.speakers == [0: [1], 1: [2], 2: [3]])
        #expect(heard.finished == 1)
    }

    @Test func everyProviderSpeaksAtTheRequestedRate() async throws {
        let primary = ScriptedTTS("primary", marker: 1, sampleRate: 24_000) { call, _ in
            call == 0 ? [.frame(samples: 2400)] : [.fail(.server)]
        }
        let backup = ScriptedTTS.speaking("backup", marker: 2, sampleRate: 22_050)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast()), (backup, SpeechPolicies.fast(1))])
            .stream(TTSRequest(text: Self.text, outputSampleRate: 48_000)))
        #expect(!heard.audio.isEmpty)
        #expect(heard.audio.allSatisfy { $0.rate == 48_000 })
        let firstSentenceSamples = heard.audio.filter { $0.sentence == 0 }.reduce(0) { $0 + $1.samples }
        #expect(firstSentenceSamples > 4000 && firstSentenceSamples <= 4800, "100 ms at 24 kHz became about 100 ms at 48 kHz")
    }

    @Test func emptyTextFinishesWithoutAudio() async throws {
        let primary = ScriptedTTS.speaking("primary", marker: 1)
        let heard = try await Self.collect(Self.router([(primary, SpeechPolicies.fast())]).stream(Self.request("  ")))
        #expect(heard.audio.isEmpty)
        #expect(heard.finished == 1)
        #expect(primary.spokenTexts.isEmpty)
    }

    @Test(arguments: [
        ("Hello there. How are you?", ["Hello there.", "How are you?"]),
        ("It costs 3.5 euros! Really?\nYes", ["It costs 3.5 euros!", "Really?", "Yes"]),
        ("He said \"stop.\" Then left…  ", ["He said \"stop.\"", "Then left…"]),
        ("no punctuation at all", ["no punctuation at all"]),
        ("", []),
    ])
    func sentenceSplitting(text: String, expected: [String]) {
        #expect(SentenceSplitter.split(text) == expected)
    }

    @Test func continuationResumesAfterTheLastSentenceHeard() {
        let request = TTSRequest(sentences: ["a", "b", "c", "d"], outputSampleRate: nil)
        let delivered: [TTSEvent] = [.audio(sentence: 0, SpeechAudio(.silence(milliseconds: 10))), .sentenceFinished(0),
                                     .audio(sentence: 1, SpeechAudio(.silence(milliseconds: 10)))]
        #expect(TTSCapability.continuation(of: request, after: delivered).firstSentence == 2)
        #expect(TTSCapability.continuation(of: request, after: []).firstSentence == 0)
        var splicer = TTSCapability.splicer(after: delivered)
        #expect(splicer.accept(.sentenceFinished(1)).isEmpty, "a late event of a heard sentence is dropped")
        #expect(splicer.accept(.sentenceFinished(2)) == [.sentenceFinished(2)])
    }
}
