/// One speaker at a time: a greeting said with `say` and a reply must not interleave their frames
/// on the session's output, so each waits its turn (first come, first served).
actor SpeechTurnstile {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
