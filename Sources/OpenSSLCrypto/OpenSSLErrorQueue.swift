import COpenSSL

/// OpenSSL's thread-local error queue, turned into text at the Swift boundary.
public enum OpenSSLErrorQueue {
    /// Removes every queued error and returns them joined, or "no OpenSSL error" when empty.
    /// Call `clear()` before an SSL call whose failure you will inspect (stale entries mislead).
    public static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no OpenSSL error" : messages.joined(separator: "; ")
    }

    /// Discards stale errors left by earlier calls on this thread.
    public static func clear() { ERR_clear_error() }
}
