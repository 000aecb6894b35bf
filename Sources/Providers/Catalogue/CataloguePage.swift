import Foundation

/// One page of a list-models answer, already in our terms, and where the next page is.
struct CataloguePage: Sendable, Equatable {
    var models: [CatalogueModel]
    /// Query items that fetch the next page; nil on the last page.
    var next: [URLQueryItem]?
}

/// The limits every catalogue answer is held to: an endpoint that misbehaves costs one error line,
/// never the process's memory or stack.
public struct CatalogueLimits: Sendable, Equatable {
    /// Bytes of one page (OpenRouter's whole list, descriptions included, was about 1.5 MB in 2026).
    public var pageBytes: Int
    /// JSON nesting depth (the real answers nest 4 levels).
    public var depth: Int
    public var models: Int
    public var pages: Int

    public init(pageBytes: Int = 8 << 20, depth: Int = 32, models: Int = 10_000, pages: Int = 50) {
        self.pageBytes = pageBytes
        self.depth = depth
        self.models = models
        self.pages = pages
    }

    /// Parses `bytes` as JSON after checking their nesting depth without recursion, so a hostile
    /// `[[[[…` cannot exhaust the decoder's stack.
    func json(_ bytes: [UInt8], provider: String) throws(CatalogueError) -> JSONValue {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > self.depth {
                    throw CatalogueError(.tooLarge, provider: provider, "answer nests deeper than \(self.depth) levels")
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else {
            throw CatalogueError(.malformed, provider: provider, "answer is not JSON (\(bytes.count) bytes)")
        }
        return value
    }
}
