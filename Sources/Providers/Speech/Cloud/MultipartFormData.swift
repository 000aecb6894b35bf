/// A `multipart/form-data` body (RFC 7578) with text fields and one file: what OpenAI-style
/// transcription endpoints take. Pure: builds bytes, sends nothing.
struct MultipartFormData: Sendable {
    let boundary: String
    private(set) var body: [UInt8] = []

    /// `boundary` must not occur in any part; a random UUID-based one is the default.
    init(boundary: String = "steadfast-" + UUIDText.random()) {
        self.boundary = boundary
    }

    /// The `Content-Type` header value announcing the boundary.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func addField(_ name: String, _ value: String) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n")
        append(value)
        append("\r\n")
    }

    mutating func addFile(_ name: String, filename: String, contentType: String, data: [UInt8]) {
        append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n")
        append("Content-Type: \(contentType)\r\n\r\n")
        body += data
        append("\r\n")
    }

    /// The finished body (adds the closing delimiter).
    func finished() -> [UInt8] { body + Array("--\(boundary)--\r\n".utf8) }

    private mutating func append(_ text: String) { body += Array(text.utf8) }
}

/// A random UUID as text, without pulling Foundation's UUID into call sites that only need a token.
enum UUIDText {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = (0..<16).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }
        return hex.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}
