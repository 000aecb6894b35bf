import Testing
import Transport

/// The shared "stream whose producer task is cancelled when the consumer stops" helper.
@Suite("Produced streams", .timeLimit(.minutes(1)))
struct ProducedStreamTests {
    struct Boom: Error, Equatable {}

    @Test func yieldsThenFinishesWhenTheProducerReturns() async throws {
        let stream = AsyncThrowingStream<Int, any Error>.produced { output in
            for value in 1...3 { output.yield(value) }
        }
        var seen: [Int] = []
        for try await value in stream { seen.append(value) }
        #expect(seen == [1, 2, 3])
    }

    @Test func aThrownErrorEndsTheStreamWithThatError() async {
        let stream = AsyncThrowingStream<Int, any Error>.produced { output in
            output.yield(1)
            throw Boom()
        }
        var seen: [Int] = []
        await #expect(throws: Boom.self) {
            for try await value in stream { seen.append(value) }
        }
        #expect(seen == [1])
    }

    /// The producer waits forever on an idle stream; only cancellation gets it out, and it reports that.
    static func idleProducer(reporting cancelled: AsyncStream<Bool>.Continuation)
        -> AsyncThrowingStream<Int, any Error> {
        let (idle, keepAlive) = AsyncStream<Never>.makeStream()
        return .produced { output in
            output.yield(1)
            for await _ in idle {}
            keepAlive.finish()
            cancelled.yield(Task.isCancelled)
            cancelled.finish()
        }
    }

    @Test func cancellingTheConsumerCancelsTheProducer() async throws {
        let (cancelled, report) = AsyncStream<Bool>.makeStream()
        let stream = Self.idleProducer(reporting: report)
        let (started, startedSink) = AsyncStream<Void>.makeStream()
        let consumer = Task {
            for try await _ in stream { startedSink.yield() }
        }
        for await _ in started { break }
        consumer.cancel()
        _ = try? await consumer.value
        #expect(await cancelled.first { _ in true } == true)
    }

    @Test func droppingTheStreamCancelsTheProducer() async throws {
        let (cancelled, report) = AsyncStream<Bool>.makeStream()
        do {
            let stream = Self.idleProducer(reporting: report)
            for try await _ in stream { break }
        }
        #expect(await cancelled.first { _ in true } == true)
    }

    @Test func theNonThrowingFormFinishesAndIsCancelledToo() async {
        let finite = AsyncStream<Int>.produced { output in
            for value in 1...2 { output.yield(value) }
        }
        var seen: [Int] = []
        for await value in finite { seen.append(value) }
        #expect(seen == [1, 2])

        let (cancelled, report) = AsyncStream<Bool>.makeStream()
        let (idle, keepAlive) = AsyncStream<Never>.makeStream()
        do {
            let stream = AsyncStream<Int>.produced { output in
                output.yield(1)
                for await _ in idle {}
                keepAlive.finish()
                report.yield(Task.isCancelled)
                report.finish()
            }
            for await _ in stream { break }
        }
        #expect(await cancelled.first { _ in true } == true)
    }
}
