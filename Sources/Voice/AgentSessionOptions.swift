import Agents
import Audio

/// How a session runs: timing, language and output format.
public struct AgentSessionOptions: Sendable {
    /// How agent audio leaves the session.
    public enum Pacing: Sendable, Equatable {
        /// One frame per frame duration, as a sound card or an RTP sender consumes it. Barge-in
        /// and "what was actually spoken" are only meaningful in this mode.
        case realTime
        /// As fast as TTS produces it: files and tests.
        case unpaced
    }

    /// Endpointing and interruption timing; an agent's own `preferences.turn` wins.
    public var turn: TurnSettings
    public var pacing: Pacing
    /// BCP-47 hint for speech to text.
    public var language: String?
    /// Rate of the frames on `audioOutput` (TTS audio is resampled to it).
    public var outputSampleRate: Int
    /// Length of each output frame.
    public var frameMilliseconds: Int
    public var toolLoop: ToolLoop
    /// The VAD's tuning (its sample rate is the rate input is converted to).
    public var vad: VoiceActivityDetector.Configuration
    /// Said when a reply fails outright (it should not: the chains end in local last resorts).
    public var apology: String

    public init(turn: TurnSettings = TurnSettings(), pacing: Pacing = .realTime, language: String? = "en-US",
                outputSampleRate: Int = AudioFrame.defaultSampleRate, frameMilliseconds: Int = 20,
                toolLoop: ToolLoop = ToolLoop(), vad: VoiceActivityDetector.Configuration = .init(),
                apology: String = "Sorry, something went wrong on my side. Could you say that again?") {
        self.turn = turn
        self.pacing = pacing
        self.language = language
        self.outputSampleRate = outputSampleRate
        self.frameMilliseconds = frameMilliseconds
        self.toolLoop = toolLoop
        self.vad = vad
        self.apology = apology
    }
}
