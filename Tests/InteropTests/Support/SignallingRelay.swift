import Foundation

/// Relays an offer/answer exchange (and any trickled candidates) between two peer processes, then
/// collects both final stats lines, like a signalling server would.
enum SignallingRelay {
    struct Outcome {
        var offer: String
        var answer: String
        var offererStats: [String: Any]
        var answererStats: [String: Any]
    }

    static func run(offerer: PeerProcess, answerer: PeerProcess, duration: Duration) async throws -> Outcome {
        let offer = try await offerer.readMessage(timeout: .seconds(30))
        guard offer["type"] as? String == "offer", let offerSDP = offer["sdp"] as? String else {
            throw PeerFailure("\(offerer.name) did not print an offer: \(offer)")
        }
        try answerer.send(offer)
        let answer = try await nextNonCandidate(from: answerer, forwardingTo: offerer, timeout: .seconds(30))
        guard answer["type"] as? String == "answer", let answerSDP = answer["sdp"] as? String else {
            throw PeerFailure("\(answerer.name) did not print an answer: \(answer)")
        }
        try offerer.send(answer)
        let statsTimeout = duration + .seconds(30)
        let offererStats = try await nextNonCandidate(from: offerer, forwardingTo: answerer, timeout: statsTimeout)
        let answererStats = try await nextNonCandidate(from: answerer, forwardingTo: offerer, timeout: .seconds(30))
        return Outcome(offer: offerSDP, answer: answerSDP, offererStats: offererStats, answererStats: answererStats)
    }

    /// Reads lines, forwarding trickled candidates to the other side, until something else arrives.
    private static func nextNonCandidate(from peer: PeerProcess, forwardingTo other: PeerProcess,
                                         timeout: Duration) async throws -> [String: Any] {
        while true {
            let message = try await peer.readMessage(timeout: timeout)
            guard message["type"] as? String == "candidate" else { return message }
            try? other.send(message)
        }
    }
}
