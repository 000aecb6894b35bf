/// The consumer end of one response body: what `HTTPResponse.body` iterates.
///
/// It turns the consumer's cancellation (or simply dropping the stream) into an abort of the
/// transfer, and the consumer's progress into an unpause when the producer was held back.
final class ResponseBodyReader: Sendable {
    private let channel: ResponseBodyChannel
    private let transfer: CurlTransfer
    private let driver: CurlMultiDriver

    init(transfer: CurlTransfer, driver: CurlMultiDriver) {
        self.channel = transfer.body
        self.transfer = transfer
        self.driver = driver
    }

    /// Dropping the body unread frees the connection's transfer instead of leaving it running.
    deinit {
        if !channel.isFinished { driver.cancel(transfer) }
    }

    /// The next chunk, nil at the end; throws the transfer's `HTTPError` (idle timeout, cut, cancellation).
    func next() async throws -> [UInt8]? {
        while true {
            switch channel.take() {
            case .chunk(let chunk, let resumeProducer):
                if resumeProducer { driver.resume(transfer) }
                return chunk
            case .end(let error):
                if let error { throw error }
                return nil
            case .empty:
                await withTaskCancellationHandler {
                    await channel.waitForData()
                } onCancel: {
                    channel.cancel()
                    driver.cancel(transfer)
                }
            }
        }
    }

    /// The stream handed to callers.
    func makeStream() -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream(unfolding: { [self] in try await self.next() })
    }
}
