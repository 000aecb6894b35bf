/// Why an audio operation failed; callers decide whether to drop a frame or stop a stream.
public enum AudioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Rates, channel counts or frame sizes that the operation cannot take.
    case invalidFormat(String)
    /// A codec or DSP library call failed.
    case library(String)
    /// A file could not be read or written, or is not the format it claims.
    case file(String)

    /// The message alone, without the category prefix (for one-line CLI errors).
    public var message: String {
        switch self {
        case .invalidFormat(let text), .library(let text), .file(let text): text
        }
    }

    public var description: String {
        switch self {
        case .invalidFormat(let text): "invalid audio format: \(text)"
        case .library(let text): "audio library error: \(text)"
        case .file(let text): "audio file error: \(text)"
        }
    }
}
