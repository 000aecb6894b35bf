import Foundation
import SansIO

/// The room's live transcripts on `lk.transcription`, as LiveKit frontends read them
/// (livekit-agents `room_io/_output.py`, agents-js `_output.ts`, read 2026-12-07), sans-IO.
///
/// - The user's words: every interim transcript is a whole new text stream with the full text so
///   far, and the final one closes the segment; all of a segment's streams share `lk.segment_id`,
///   carry `lk.transcribed_track_id` (the user's microphone track) and `lk.transcription_final`,
///   and are sent on behalf of the user (the sender identity is the user's).
/// - The agent's words: one delta stream per reply segment, written as the words are heard. A
///   sentence is released word by word from the moment its audio starts playing, at a speaking
///   rate; when the next sentence starts, the rest of the previous one goes out (its audio has
///   ended). A barge-in stops the words where the audio stopped: what was heard (the session's
///   `interrupted(spoken:)`) is topped up if the pacing was behind, and the stream closes with
///   `lk.transcription_final = true`.
///
/// Outputs are stream operations for `RoomDataCore` (through `RoomClient`).
public struct TranscriptionCore: Sendable {
    public static let topic = "lk.transcription"
    public static let finalAttribute = "lk.transcription_final"
    public static let segmentAttribute = "lk.segment_id"
    public static let trackAttribute = "lk.transcribed_track_id"

    public enum Input: Sendable {
        /// The user's words (`identity` and `trackSID` name whose).
        case userTranscript(String, isFinal: Bool, identity: String, trackSID: String?)
        /// The agent's audio track sid, once the server has published it.
        case agentTrack(sid: String)
        /// A sentence of the agent's reply started playing.
        case agentSpeechStarted(String)
        /// The user barged in: no more words until `agentInterrupted`.
        case agentBargeIn
        /// The reply was cut; `spoken` is what the user heard.
        case agentInterrupted(spoken: String)
        /// The agent is listening again: the reply (or greeting) played to its end.
        case agentReplyFinished
        case timeout
    }

    public enum Output: Sendable, Equatable {
        case open(id: String, attributes: [String: String], senderIdentity: String?)
        case write(id: String, String)
        case close(id: String, attributes: [String: String])
    }

    /// Words per second the agent's words are released at within a sentence (espeak-ng's default
    /// 175 words a minute; the same estimate `SpokenText` uses).
    public var wordsPerSecond: Double

    private var random: SplitMix64
    private var agentTrackSID: String?
    private var userSegment: String?
    private var agent: AgentSegment?
    private var outputs: [Output] = []

    private struct AgentSegment {
        var streamID: String
        var segmentID: String
        /// Words released so far (and written).
        var sentWords = 0
        /// Words of sentences that started, released or not.
        var words: [Substring] = []
        /// Where the current sentence's words begin, and when its audio started.
        var sentenceStart = 0
        var sentenceStarted: ContinuousClock.Instant
        var held = false
    }

    public init(seed: UInt64, wordsPerSecond: Double = 2.9) {
        random = SplitMix64(seed: seed)
        self.wordsPerSecond = wordsPerSecond
    }

    public var nextDeadline: ContinuousClock.Instant? {
        guard let agent, !agent.held, agent.sentWords < agent.words.count else { return nil }
        // Word r of a sentence is due r / rate after it started; a millisecond late, so that the
        // timeout always finds it due.
        return agent.sentenceStarted + .seconds(Double(agent.sentWords - agent.sentenceStart) / wordsPerSecond) + .milliseconds(1)
    }

    public mutating func pollOutput() -> Output? { outputs.isEmpty ? nil : outputs.removeFirst() }

    public mutating func handle(_ input: Input, now: ContinuousClock.Instant) {
        switch input {
        case .userTranscript(let text, let isFinal, let identity, let trackSID):
            let segment = userSegment ?? newID(prefix: "SG_")
            userSegment = isFinal ? nil : segment
            var attributes = [Self.finalAttribute: isFinal ? "true" : "false", Self.segmentAttribute: segment]
            if let trackSID { attributes[Self.trackAttribute] = trackSID }
            let id = newID()
            outputs.append(.open(id: id, attributes: attributes, senderIdentity: identity))
            outputs.append(.write(id: id, text))
            outputs.append(.close(id: id, attributes: attributes))
        case .agentTrack(let sid):
            agentTrackSID = sid
        case .agentSpeechStarted(let text):
            if agent == nil {
                let segment = AgentSegment(streamID: newID(), segmentID: newID(prefix: "SG_"), sentenceStarted: now)
                var attributes = [Self.finalAttribute: "false", Self.segmentAttribute: segment.segmentID]
                if let agentTrackSID { attributes[Self.trackAttribute] = agentTrackSID }
                outputs.append(.open(id: segment.streamID, attributes: attributes, senderIdentity: nil))
                agent = segment
            }
            // The previous sentence's audio is over: all of its words have been heard.
            release(upTo: agent!.words.count)
            agent!.words += text.split(whereSeparator: \.isWhitespace)
            agent!.sentenceStart = agent!.sentWords
            agent!.sentenceStarted = now
            agent!.held = false
            release(until: now)
        case .agentBargeIn:
            agent?.held = true
        case .agentInterrupted(let spoken):
            guard agent != nil else { return }
            let heard = spoken.split(whereSeparator: \.isWhitespace).count
            release(upTo: min(heard, agent!.words.count))
            finishAgent()
        case .agentReplyFinished:
            guard agent != nil else { return }
            // After a barge-in only what was heard counts, and that came with `agentInterrupted`.
            if !agent!.held { release(upTo: agent!.words.count) }
            finishAgent()
        case .timeout:
            if agent?.held == false { release(until: now) }
        }
    }

    /// Releases the current sentence's words that are due at `now`.
    private mutating func release(until now: ContinuousClock.Instant) {
        guard let segment = agent else { return }
        let parts = (now - segment.sentenceStarted).components
        let elapsed = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
        let due = segment.sentenceStart + Int(elapsed * wordsPerSecond) + 1
        release(upTo: min(due, segment.words.count))
    }

    private mutating func release(upTo count: Int) {
        guard var segment = agent, count > segment.sentWords else { return }
        let words = segment.words[segment.sentWords..<count].joined(separator: " ")
        outputs.append(.write(id: segment.streamID, (segment.sentWords == 0 ? "" : " ") + words))
        segment.sentWords = count
        agent = segment
    }

    private mutating func finishAgent() {
        guard let segment = agent else { return }
        var attributes = [Self.finalAttribute: "true", Self.segmentAttribute: segment.segmentID]
        if let agentTrackSID { attributes[Self.trackAttribute] = agentTrackSID }
        outputs.append(.close(id: segment.streamID, attributes: attributes))
        agent = nil
    }

    /// A random id: "SG_" and 12 hex digits for segments (agents' `shortuuid("SG_")` shape), a
    /// UUID-shaped string for streams.
    private mutating func newID(prefix: String? = nil) -> String {
        let high = random.next(), low = random.next()
        if let prefix { return prefix + String(high, radix: 16).padding(toLength: 12, withPad: "0", startingAt: 0) }
        let hex = String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }
}

extension TranscriptionCore: ProtocolCore {
    public static var timeout: Input { .timeout }
}

private extension String {
    func leftPadded(_ length: Int) -> String { count >= length ? self : String(repeating: "0", count: length - count) + self }
}
