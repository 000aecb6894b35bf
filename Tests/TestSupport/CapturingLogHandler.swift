import Logging
import Synchronization

/// A swift-log handler that keeps every formatted line (level, message, sorted metadata), so tests
/// can assert what was logged — above all, that no secret was.
public struct CapturingLogHandler: LogHandler {
    public final class Store: Sendable {
        private let storage = Mutex<[String]>([])
        public init() {}
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        public var lines: [String] { storage.withLock { $0 } }
    }

    public let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(store: Store) { self.store = store }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        store.append("[\(event.level)] \(event.message) \(merged.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
    }

    /// A logger at trace level that writes into `store`.
    public static func logger(_ store: Store, label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(store: store) }
        logger.logLevel = .trace
        return logger
    }
}
