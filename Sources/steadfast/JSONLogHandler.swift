import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import Providers
import Synchronization

/// `steadfast start`'s log format: one JSON object per line on stderr, for log collectors (Loki,
/// Cloud Logging, Elasticsearch) that parse lines without guessing:
///
///     {"time":"2026-12-07T19:20:00.123Z","level":"info","logger":"steadfast.worker","message":"Job started",
///      "metadata":{"job.id":"AJ_…","room.name":"support"}}
///
/// Metadata keeps the dotted keys the code logs with (`job.id`, `room.name`, `participant.identity`,
/// `provider.name`, `provider.model`). Keys and tokens are never logged; as a second line of defence
/// any text that looks like a bearer token, a JWT or a key is redacted here too.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: JSONLogSink

    init(label: String, level: Logger.Level, sink: JSONLogSink = .standardError,
         metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        sink.write(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// One log line, without the newline. Keys in a fixed order so lines diff and grep well.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var out = "{\"time\":"
        appendString(Self.timestamp(time), to: &out)
        out += ",\"level\":"
        appendString(level.rawValue, to: &out)
        out += ",\"logger\":"
        appendString(label, to: &out)
        out += ",\"message\":"
        appendString(redacted(message), to: &out)
        if !metadata.isEmpty {
            out += ",\"metadata\":"
            appendObject(metadata, to: &out)
        }
        out += "}"
        return out
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    private static func appendObject(_ metadata: Logger.Metadata, to out: inout String) {
        out += "{"
        for (index, key) in metadata.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            if let value = metadata[key] { appendValue(value, to: &out) }
        }
        out += "}"
    }

    private static func appendValue(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let string): appendString(redacted(string), to: &out)
        case .stringConvertible(let convertible): appendString(redacted(convertible.description), to: &out)
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let dictionary): appendObject(dictionary, to: &out)
        }
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped, so a
    /// message with newlines still takes one line.
    static func appendString(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F || (0x2028...0x2029).contains(control.value):
                out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Markers of text that may carry a credential; only text with one pays for the scrubber's regexes.
    private static let suspicious = ["eyJ", "earer", "sk-", "gsk_", "AIza", "xai-", "pk-", "rk-", "key=", "token="]

    static func redacted(_ text: String) -> String {
        suspicious.contains(where: text.contains) ? SecretScrubber.scrub(text) : text
    }
}

/// Where JSON lines go: whole lines, one writer at a time, so concurrent loggers never interleave.
final class JSONLogSink: Sendable {
    static let standardError = JSONLogSink { line in
        let data = Data(line.utf8)
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0, errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    private let lock = Mutex(())
    private let output: @Sendable (String) -> Void

    init(_ output: @escaping @Sendable (String) -> Void) { self.output = output }

    func write(_ line: String) {
        lock.withLock { _ in output(line + "\n") }
    }
}
