import LiveKitProtocol

/// An RPC failure as LiveKit's SDKs put it on the wire (`RpcError{code, message, data}` in an
/// `RpcResponse`). Codes 1001–1999 are LiveKit's; the built-in ones below match client-sdk-js
/// `RpcError.ErrorCode` and the Swift/Rust SDKs (read 2026-12-07). A method handler may throw any
/// `RpcError`; anything else it throws reaches the caller as `applicationError`.
public struct RpcError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: UInt32
    public var message: String
    public var data: String

    /// Bounds the SDKs apply: the message to 256 bytes, data (and payloads) to 15 KiB.
    public static let maxMessageBytes = 256
    public static let maxDataBytes = 15_360

    public init(code: UInt32, message: String, data: String = "") {
        self.code = code
        self.message = String(decoding: message.utf8.prefix(Self.maxMessageBytes), as: UTF8.self)
        self.data = String(decoding: data.utf8.prefix(Self.maxDataBytes), as: UTF8.self)
    }

    public static let applicationError = RpcError(code: 1500, message: "Application error in method handler")
    public static let connectionTimeout = RpcError(code: 1501, message: "Connection timeout")
    public static let responseTimeout = RpcError(code: 1502, message: "Response timeout")
    public static let recipientDisconnected = RpcError(code: 1503, message: "Recipient disconnected")
    public static let responsePayloadTooLarge = RpcError(code: 1504, message: "Response payload too large")
    public static let sendFailed = RpcError(code: 1505, message: "Failed to send")
    public static let unsupportedMethod = RpcError(code: 1400, message: "Method not supported at destination")
    public static let recipientNotFound = RpcError(code: 1401, message: "Recipient not found")
    public static let requestPayloadTooLarge = RpcError(code: 1402, message: "Request payload too large")
    public static let unsupportedServer = RpcError(code: 1403, message: "RPC not supported by server")
    public static let unsupportedVersion = RpcError(code: 1404, message: "Unsupported RPC version")

    init(_ proto: Livekit_RpcError) {
        self.init(code: proto.code, message: proto.message, data: proto.data)
    }

    var proto: Livekit_RpcError {
        var error = Livekit_RpcError()
        error.code = code
        error.message = message
        error.data = data
        return error
    }

    public var description: String { "RPC error \(code): \(message)" }
}
