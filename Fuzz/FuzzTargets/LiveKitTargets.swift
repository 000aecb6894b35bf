import Foundation
import LiveKit
import LiveKitProtocol
import OpenSSLCrypto

/// What a LiveKit server sends: signalling frames, worker-protocol frames, and access tokens.
enum LiveKitTargets {
    /// A sequence of steps for `SignalCore`, each an op byte: `op % 8` 0–3 → the next frame is a
    /// `SignalResponse`; 4 → timers fire after `op >> 3` seconds; 5 → publish a track; 6 → set
    /// attributes; 7 → leave.
    static func signal(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        var core = SignalCore()
        var now = ContinuousClock.Instant.now
        while let op = input.byte() {
            switch op % 8 {
            case 0...3:
                guard let frame = input.frame() else { break }
                core.handle(.frame(Data(frame)), now: now)
            case 4:
                now = now.advanced(by: .seconds(Int(op >> 3)))
                core.handle(.timeout, now: now)
            case 5: core.handle(.publishAudio(cid: "TR_local", name: "microphone"), now: now)
            case 6: core.handle(.updateAttributes(["lk.agent.state": "listening"]), now: now)
            default: core.handle(.leave, now: now)
            }
            while let output = core.pollOutput() { _ = output }
        }
        _ = core.state
        _ = core.participants.count
        _ = core.nextDeadline
    }

    /// A sequence of steps for `WorkerCore` (started and connected first), each an op byte:
    /// `op % 8` 0–3 → the next frame is a `ServerMessage`; 4 → timers after `op >> 3` seconds;
    /// 5 → accept every offered job; 6 → reject them / report job status; 7 → drain or disconnect.
    static func worker(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        var core = WorkerCore(configuration: WorkerConfiguration(agentName: "fuzz", maximumReconnectAttempts: 2))
        var now = ContinuousClock.Instant.now
        var offered: [String] = []
        var assigned: [String] = []
        core.start(now: now)
        core.handle(.connected, now: now)
        func drain() {
            while let output = core.pollOutput() {
                guard case .event(let event) = output else { continue }
                switch event {
                case .jobOffered(let job): offered.append(job.id)
                case .jobAssigned(let job, _, _): assigned.append(job.id)
                default: break
                }
            }
        }
        drain()
        while let op = input.byte() {
            switch op % 8 {
            case 0...3:
                guard let frame = input.frame() else { break }
                core.handle(.frame(Data(frame)), now: now)
            case 4:
                now = now.advanced(by: .seconds(Int(op >> 3)))
                core.handle(.timeout, now: now)
            case 5:
                for id in offered { core.handle(.accept(jobID: id, identity: "agent-\(id)", name: "fuzz"), now: now) }
                offered = []
            case 6:
                for id in offered { core.handle(.reject(jobID: id), now: now) }
                offered = []
                for id in assigned { core.handle(.jobStatus(jobID: id, status: op & 8 == 0 ? .jsRunning : .jsSuccess), now: now) }
            default:
                if op & 8 == 0 { core.handle(.drain, now: now) } else { core.handle(.disconnected(reason: "fuzz"), now: now) }
                if op & 16 != 0 { core.handle(.connected, now: now) }
            }
            drain()
        }
        _ = core.state
        _ = core.jobs.count
        _ = core.nextDeadline
    }

    // MARK: Tokens

    static let apiKey = "APIfuzzKey"
    static let apiSecret = "fuzz-secret-0123456789abcdef0123456789abcdef"
    private static let verifier = TokenVerifier(keys: [apiKey: apiSecret])
    /// A fixed "now" so the same input always takes the same path (2025-01-01T00:00:00Z).
    private static let now = Date(timeIntervalSince1970: 1_735_689_600)
    private static let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// The input is the payload JSON; the harness signs it with the known key, so every claims path
    /// (exp/nbf/iat arithmetic, grants decoding, the verified token's JSON) is reachable.
    static func signedClaims(_ bytes: [UInt8]) {
        let signingInput = header + "." + base64URL(bytes)
        guard let signature = try? HMAC.authenticate(Array(signingInput.utf8), key: Array(apiSecret.utf8), digest: .sha256)
        else { return }
        verify(signingInput + "." + base64URL(signature))
    }

    /// The input is the token text as a client would present it.
    static func rawToken(_ bytes: [UInt8]) {
        verify(String(decoding: bytes, as: UTF8.self))
    }

    private static func verify(_ token: String) {
        guard let verified = try? verifier.verify(token, now: now) else { return }
        _ = verified.payloadJSON()
        _ = verified.payloadJSON(prettyPrinted: false)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }
}
