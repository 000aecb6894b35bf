import SansIO
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SessionInboxTests {
    @Test func deliversInputsInArrivalOrder() async {
        let inbox = SessionInbox<Int>()
        for value in 0..<200 { inbox.send(value) }
        var seen: [Int] = []
        for _ in 0..<200 {
            guard case .input(let value) = await inbox.next(deadline: nil) else { Issue.record("not an input"); return }
            seen.append(value)
        }
        #expect(seen == Array(0..<200))
        #expect(inbox.count == 0)
    }

    @Test func wakesAtTheDeadlineWhenNothingArrives() async {
        let inbox = SessionInbox<Int>()
        let deadline = ContinuousClock.now + .milliseconds(30)
        let wake = await inbox.next(deadline: deadline)
        guard case .deadline = wake else { Issue.record("expected the deadline, got \(wake)"); return }
        #expect(ContinuousClock.now >= deadline)
    }

    @Test func anInputBeforeTheDeadlineWins() async {
        let inbox = SessionInbox<String>()
        async let wake = inbox.next(deadline: .now + .seconds(30))
        // The consumer may or may not be suspended yet; either way the input must win.
        inbox.send("frame")
        guard case .input(let value) = await wake else { Issue.record("expected the input"); return }
        #expect(value == "frame")
    }

    @Test func aPastDeadlineWithQueuedInputDeliversTheInputFirst() async {
        let inbox = SessionInbox<Int>()
        inbox.send(7)
        guard case .input(7) = await inbox.next(deadline: .now - .seconds(1)) else { Issue.record("input lost"); return }
        guard case .deadline = await inbox.next(deadline: .now - .seconds(1)) else { Issue.record("no deadline"); return }
    }

    @Test func finishDeliversWhatIsQueuedThenFinished() async {
        let inbox = SessionInbox<Int>()
        inbox.send(1)
        inbox.finish()
        #expect(inbox.send(2) == false)
        guard case .input(1) = await inbox.next(deadline: nil) else { Issue.record("queued input lost"); return }
        guard case .finished = await inbox.next(deadline: nil) else { Issue.record("not finished"); return }
    }

    @Test func finishWakesAWaitingConsumer() async {
        let inbox = SessionInbox<Int>()
        async let wake = inbox.next(deadline: nil)
        try? await Task.sleep(for: .milliseconds(20))
        inbox.finish()
        guard case .finished = await wake else { Issue.record("consumer not woken"); return }
    }

    @Test func cancellingTheConsumerEndsItsWait() async {
        let inbox = SessionInbox<Int>()
        let consumer = Task { await inbox.next(deadline: nil) }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        guard case .finished = await consumer.value else { Issue.record("cancelled wait did not end"); return }
        // The inbox still works for a new consumer afterwards.
        inbox.send(3)
        guard case .input(3) = await inbox.next(deadline: nil) else { Issue.record("input after cancel lost"); return }
    }

    @Test func manyProducersLoseNothing() async {
        let inbox = SessionInbox<Int>()
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<4 {
                group.addTask { for value in 0..<500 { inbox.send(producer * 1000 + value) } }
            }
            var seen = Set<Int>()
            while seen.count < 2000 {
                guard case .input(let value) = await inbox.next(deadline: .now + .seconds(10)) else { break }
                seen.insert(value)
            }
            #expect(seen.count == 2000)
        }
    }
}

@Suite struct DropOldestBufferTests {
    @Test func keepsTheNewestAndCountsDrops() {
        let buffer = DropOldestBuffer<Int>(capacity: 3)
        var dropped = 0
        for value in 1...10 where buffer.append(value) { dropped += 1 }
        #expect(buffer.count == 3)
        #expect(buffer.droppedCount == 7)
        #expect(dropped == 7)
        #expect([buffer.removeFirst(), buffer.removeFirst(), buffer.removeFirst(), buffer.removeFirst()] == [8, 9, 10, nil])
    }

    @Test func removeAllIsNotCountedAsOverflow() {
        let buffer = DropOldestBuffer<Int>(capacity: 2)
        buffer.append(1)
        buffer.removeAll()
        #expect(buffer.count == 0)
        #expect(buffer.droppedCount == 0)
        buffer.append(5)
        #expect(buffer.removeFirst() == 5)
    }
}
