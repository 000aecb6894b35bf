import Foundation
import Logging

/// What a WebSocket connection is opened with.
public struct WebSocketRequest: Sendable {
    /// `ws(s)://…` with path and query (`LiveKitEndpoint.components` builds it from `LIVEKIT_URL`).
    public var url: URLComponents
    /// Extra request headers (`Authorization: Bearer …`). Never logged.
    public var headers: [String: String]
    /// The largest frame accepted, in bytes.
    public var maximumFrameSize: Int

    public init(url: URLComponents, headers: [String: String] = [:], maximumFrameSize: Int = 1 << 20) {
        self.url = url
        self.headers = headers
        self.maximumFrameSize = maximumFrameSize
    }

    /// A request carrying `token` as `Authorization: Bearer`, as both `/agent` and `/rtc` want.
    public init(url: URLComponents, bearerToken: String, maximumFrameSize: Int = 1 << 20) {
        self.init(url: url, headers: ["Authorization": "Bearer \(bearerToken)"], maximumFrameSize: maximumFrameSize)
    }
}

/// The bytes layer under `WebSocketConnectionLoop`: one WebSocket connection, binary frames in and
/// out. Everything above it (which connection is current, events, reconnect policy) is shared, so
/// swapping the WebSocket library is one new conformance (`DefaultWebSocketTransport`).
public protocol WebSocketTransport: Sendable {
    /// Connects and upgrades, calls `opened` once the WebSocket is up, writes every element of
    /// `outbound` as a binary frame, hands every inbound binary frame to `received` (in order), and
    /// returns when either side closes; `outbound` finishing closes the connection. Cancellation
    /// closes it too. Every failure is a `LiveKitError` with a one-line message.
    func run(_ request: WebSocketRequest, outbound: AsyncStream<Data>, logger: Logger,
             opened: @escaping @Sendable () async -> Void, received: @escaping @Sendable (Data) async -> Void) async throws
}
