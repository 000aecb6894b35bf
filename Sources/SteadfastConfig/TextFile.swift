import Foundation

/// Reads a configuration file (`.env`, `steadfast.yaml`, an agent file) as UTF-8 text, with a size
/// bound so `/dev/zero` or a stray log file cannot make the process read without end.
public enum TextFile {
    /// 1 MiB: hundreds of times any real configuration file.
    public static let defaultLimit = 1 << 20

    /// Whether `path` names something (a file, a directory, a device).
    public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// The file's text, or a one-line error: no such file, a directory, unreadable, too large, not UTF-8.
    /// Messages call the file `name` (default: `path`); an empty `name` leaves it out, for callers
    /// whose error type names the file already.
    public static func read(_ path: String, name: String? = nil, limit: Int = defaultLimit) throws(ConfigError) -> String {
        let shown = (name ?? path).escapingUnprintable
        func failure(_ detail: String) -> ConfigError { ConfigError(.invalid, shown.isEmpty ? detail : "\(shown) \(detail)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(.invalid, shown.isEmpty ? "no such file" : "no such file: \(shown)")
        }
        guard !isDirectory.boolValue else { throw failure("is a directory, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw failure("exists but cannot be read (check its permissions)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw failure("cannot be read: \(error.localizedDescription.escapingUnprintable)")
        }
        guard data.count <= limit else {
            throw failure("is larger than \(limit) bytes (the limit for configuration files)")
        }
        guard let text = decode(data) else {
            throw failure("line \(firstBadLine(data)): not UTF-8 text; save the file as UTF-8")
        }
        return text
    }

    /// Strict UTF-8: a file in another encoding is refused (at the line of its first bad byte) rather
    /// than read with replacement characters that would end up in prompts, URLs or keys.
    static func decode(_ data: Data) -> String? {
        String(validating: data, as: UTF8.self)
    }

    private static func firstBadLine(_ data: Data) -> Int {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var line = 1
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            if scalar == "\n" { line += 1 }
        }
        return line
    }
}
