import LiveKit
import SansIO

/// Drives a `TranscriptionCore` for one job: the session's transcript events go in through one
/// ordered inbox, the words come out as `lk.transcription` streams on the room, and between inputs
/// the loop sleeps until the next word is due (no polling). `run()` ends after `finish()`.
final class RoomTranscriber: Sendable {
    private let inbox = SessionInbox<TranscriptionCore.Input>()
    private let client: RoomClient

    init(client: RoomClient) { self.client = client }

    func send(_ input: TranscriptionCore.Input) { inbox.send(input) }
    func finish() { inbox.finish() }

    func run() async {
        var core = TranscriptionCore(seed: UInt64.random(in: .min ... .max))
        loop: while true {
            switch await inbox.next(deadline: core.nextDeadline) {
            case .finished: break loop
            case .deadline: core.handle(.timeout, now: .now)
            case .input(let input): core.handle(input, now: .now)
            }
            while let output = core.pollOutput() {
                switch output {
                case .open(let id, let attributes, let sender):
                    client.openTextStream(topic: TranscriptionCore.topic, attributes: attributes, senderIdentity: sender, id: id)
                case .write(let id, let text): client.writeStream(id, text: text)
                case .close(let id, let attributes): client.closeStream(id, attributes: attributes)
                }
            }
        }
    }
}
