/// Every parser Steadfast runs on bytes from outside (peers, servers, providers, files), as one
/// libFuzzer target each.
///
/// A target takes arbitrary bytes and must return normally: thrown errors are the parser doing its
/// job and are ignored; a trap, a hang or unbounded memory is a finding. The same functions run in
/// three places: the libFuzzer binary (`steadfast-fuzz` built with `-DFUZZING`), the replay mode of
/// the normal `steadfast-fuzz` build, and `FuzzRegressionTests`, which replays the committed corpora
/// and crash reproducers under `Fuzz/` in `make test`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `STUNMessage(parsing:)`, its attribute accessors, integrity/fingerprint checks, re-encoding.
    case stun
    /// `RTPPacket(parsing:)` with header extensions, then a framed packet sequence through `JitterBuffer`.
    case rtp
    /// `RTCPPacket.parseCompound` and re-serialisation.
    case rtcp
    /// `SessionDescription(parsing:)`, serialisation round trip, `ICECandidate(sdpAttribute:)`, and
    /// `JSEPSession.createAnswer` / `applyRemoteAnswer` on the result.
    case sdp
    /// DTLS record framing: framed datagrams into a `DTLSTransport` (server, or client after its hello).
    case dtls
    /// SCTP packets and DCEP (data channels) into an established `SCTPAssociation`, with channel
    /// operations interleaved.
    case sctp
    /// `SSEParser` fed in input-chosen splits, then `finish()`.
    case sse
    /// The OpenAI-compatible adapter's stream (SSE driver + chunk decoder) on an arbitrary response.
    case openai
    /// The Anthropic adapter's stream on an arbitrary response.
    case anthropic
    /// The Gemini adapter's stream on an arbitrary response.
    case gemini
    /// Tool-call arguments: `JSONValue(parsing:)`, a typed tool's decoding, a webhook tool's request,
    /// and the arguments replayed to each vendor's request encoder.
    case toolArguments = "tool-args"
    /// `SignalCore` (the `/rtc` conversation) fed `SignalResponse` frames, timers and leave.
    case livekitSignal = "livekit-signal"
    /// `WorkerCore` (the `/agent` conversation) fed `ServerMessage` frames and driver decisions.
    case livekitWorker = "livekit-worker"
    /// `TokenVerifier.verify` on a token whose payload is the input, signed with the known key.
    case jwtClaims = "jwt-claims"
    /// `TokenVerifier.verify` on raw token text.
    case jwt
    /// `WAVFile.decode`.
    case wav
    /// `DotEnvParser.parse`.
    case dotenv
    /// One agent file through `AgentFileLoader.parse`.
    case agentYAML = "agent-yaml"
    /// `steadfast.yaml` through `RoutingSettings.parse`, then `LLMChainBuilder` on the result.
    case steadfastYAML = "steadfast-yaml"

    /// Runs one input; returns normally for any input unless the code under test has a bug.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .stun: RTCTargets.stun(bytes)
        case .rtp: RTCTargets.rtp(bytes)
        case .rtcp: RTCTargets.rtcp(bytes)
        case .sdp: RTCTargets.sdp(bytes)
        case .dtls: RTCTargets.dtls(bytes)
        case .sctp: SCTPTargets.association(bytes)
        case .sse: ProviderTargets.sse(bytes)
        case .openai: ProviderTargets.stream(.openAI, bytes)
        case .anthropic: ProviderTargets.stream(.anthropic, bytes)
        case .gemini: ProviderTargets.stream(.gemini, bytes)
        case .toolArguments: ProviderTargets.toolArguments(bytes)
        case .livekitSignal: LiveKitTargets.signal(bytes)
        case .livekitWorker: LiveKitTargets.worker(bytes)
        case .jwtClaims: LiveKitTargets.signedClaims(bytes)
        case .jwt: LiveKitTargets.rawToken(bytes)
        case .wav: FileTargets.wav(bytes)
        case .dotenv: FileTargets.dotEnv(bytes)
        case .agentYAML: FileTargets.agentYAML(bytes)
        case .steadfastYAML: FileTargets.steadfastYAML(bytes)
        }
    }

    /// Builds whatever the target keeps across inputs (certificates, keys) so the first input is not slow.
    public func prepare() {
        if self == .dtls { RTCTargets.prepareDTLS() }
    }
}
