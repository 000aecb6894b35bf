import Metrics

/// The voice sessions' Prometheus families, summed over every session of the process (a session id
/// is never a label). Made when the session is, with the metrics factory in force then; no-ops
/// unless the process bootstrapped a backend (`steadfast start`/`dev`).
struct SessionMetrics: Sendable {
    /// Replies finished (answered turns, including the ones cut by a barge-in).
    let turns: Counter
    /// The caller spoke over the agent and the agent stopped.
    let bargeIns: Counter
    /// From the end of the caller's turn to the agent's first audio (what the caller waits through).
    let turnEndToFirstAudio: CoreMetrics.Timer

    init() {
        turns = Counter(label: "steadfast_session_turns_total")
        bargeIns = Counter(label: "steadfast_session_barge_ins_total")
        turnEndToFirstAudio = CoreMetrics.Timer(label: "steadfast_session_turn_end_to_first_audio_seconds")
    }

    func record(_ turn: TurnMetrics) {
        turns.increment()
        if let wait = turn.turnEndToFirstAudio {
            let (seconds, attoseconds) = wait.components
            turnEndToFirstAudio.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }
}
