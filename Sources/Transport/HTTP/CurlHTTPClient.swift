import Foundation
import Logging

/// The production `HTTPTransport`: libcurl's multi interface driven by one dedicated thread that
/// all requests of this client share.
///
/// What it promises:
/// - `send` returns as soon as the final response head arrives (1xx heads are skipped); the body
///   then streams chunk by chunk as libcurl reads it, with bounded buffering (a slow consumer
///   pauses the transfer instead of growing memory; see `ResponseBodyChannel`).
/// - Deadlines: `connect` is libcurl's connect timeout; `firstByte` (from the moment the request
///   is sent until the head), `idle` (longest gap between body chunks, not counted while the
///   consumer holds the transfer paused) and `total` are enforced by the driver on a monotonic
///   clock, each failing with `HTTPError(.timeout(kind))`.
/// - Cancelling the task awaiting `send`, or the task iterating the body, aborts the transfer at
///   once and closes its connection; the caller sees `HTTPError(.cancelled)` (a body iteration
///   whose task was cancelled may also just end, as `AsyncThrowingStream` does).
/// - Connections are kept and reused across requests; HTTP/2 is used where TLS ALPN offers it.
///   TLS is always verified. Proxies come from `http_proxy`/`https_proxy`/`no_proxy`.
/// - Nothing from request headers or bodies is ever logged; events are trace level only.
public final class CurlHTTPClient: HTTPTransport, Sendable {
    private let driver: CurlMultiDriver
    private let logger: Logger

    /// Starts the driver thread. Throws `HTTPError(.invalidRequest)` if libcurl cannot be initialised.
    public init(logger: Logger = Logger(label: "steadfast.transport.http")) throws {
        self.logger = logger
        self.driver = try CurlMultiDriver(logger: logger)
    }

    /// Stops the driver thread; requests still running end with `.cancelled`.
    deinit { driver.shutdown() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let transfer = try CurlTransfer(request: request)
        let driver = self.driver
        transfer.makeResponse = { head in
            HTTPResponse(head: head, body: ResponseBodyReader(transfer: transfer, driver: driver).makeStream())
        }
        logger.trace("http request", metadata: ["http.method": "\(request.method)",
                                                "http.host": "\(request.url.host ?? "")"])
        let response = try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                transfer.headContinuation = continuation
                driver.submit(transfer)
            }
        } onCancel: {
            driver.cancel(transfer)
        }
        logger.trace("http response head", metadata: ["http.status": "\(response.head.status)",
                                                      "http.version": "\(response.head.httpVersion)"])
        return response
    }
}
