import Foundation
import LiveKitProtocol

/// What a data stream's header said, with the sender the server stamped on its packets.
public struct DataStreamInfo: Sendable, Hashable {
    public enum Content: Sendable, Hashable {
        case text
        /// A byte stream and the name its sender gave it (a file name, usually).
        case bytes(name: String)
    }

    public var id: String
    public var topic: String
    public var mimeType: String
    public var senderIdentity: String
    /// The sender's clock, milliseconds since 1970.
    public var timestamp: Int64
    public var totalLength: UInt64?
    /// The header's attributes, with the trailer's merged over them (LiveKit sends
    /// `lk.transcription_final` and friends in either).
    public var attributes: [String: String]
    public var content: Content
}

/// A whole text stream: LiveKit's `lk.transcription`, `lk.chat` and any topic an app uses.
public struct ReceivedTextStream: Sendable, Hashable {
    public var info: DataStreamInfo
    public var text: String
}

/// A whole byte stream.
public struct ReceivedByteStream: Sendable, Hashable {
    public var info: DataStreamInfo
    public var data: Data
}

/// Reassembles LiveKit data streams (a `streamHeader` packet, `streamChunk`s in order, a
/// `streamTrailer`) into whole text or byte streams, as the SDKs' incoming stream managers do.
///
/// Only topics the room registered a handler for are read (the SDKs drop the rest too). Every
/// limit is checked before memory is spent: open streams, bytes per stream (the header's declared
/// length and what actually arrives), chunk order, and an idle timeout so a sender that vanishes
/// mid-stream does not pin its buffer.
struct DataStreamReader {
    struct Limits: Sendable {
        var maxOpenStreams = 32
        var maxStreamBytes = 1 << 20
        var idleTimeout: Duration = .seconds(30)
    }

    enum Outcome: Sendable, Equatable {
        case text(ReceivedTextStream)
        case bytes(ReceivedByteStream)
        /// The stream was dropped; the message says why.
        case refused(String)
    }

    private struct Key: Hashable {
        var sender: String
        var id: String
    }

    private struct Open {
        var info: DataStreamInfo
        var content = Data()
        var nextChunk: UInt64 = 0
        var lastActivity: ContinuousClock.Instant
    }

    let limits: Limits
    private var open: [Key: Open] = [:]

    init(limits: Limits = Limits()) { self.limits = limits }

    var openCount: Int { open.count }

    var nextDeadline: ContinuousClock.Instant? {
        open.values.map(\.lastActivity).min().map { $0 + limits.idleTimeout }
    }

    /// A stream header. Returns a refusal, or nil when the stream is now open (or its topic is not read).
    mutating func header(_ header: Livekit_DataStream.Header, sender: String, topicIsRead: Bool,
                         now: ContinuousClock.Instant) -> Outcome? {
        guard topicIsRead else { return nil }
        let key = Key(sender: sender, id: header.streamID)
        guard !header.streamID.isEmpty, open[key] == nil else {
            return .refused("a stream header from \(sender) reuses stream id '\(header.streamID)' or has none")
        }
        guard open.count < limits.maxOpenStreams else {
            return .refused("stream \(header.streamID) from \(sender) refused: \(limits.maxOpenStreams) streams are already open")
        }
        if header.hasTotalLength, header.totalLength > UInt64(limits.maxStreamBytes) {
            return .refused("stream \(header.streamID) from \(sender) declares \(header.totalLength) bytes, over the \(limits.maxStreamBytes)-byte limit")
        }
        guard header.compression == .none else {
            return .refused("stream \(header.streamID) from \(sender) is compressed, which we did not advertise")
        }
        let content: DataStreamInfo.Content
        switch header.contentHeader {
        case .byteHeader(let bytes): content = .bytes(name: bytes.name)
        case .textHeader, nil: content = .text
        }
        let info = DataStreamInfo(id: header.streamID, topic: header.topic, mimeType: header.mimeType, senderIdentity: sender,
                                  timestamp: header.timestamp, totalLength: header.hasTotalLength ? header.totalLength : nil,
                                  attributes: header.attributes, content: content)
        var stream = Open(info: info, lastActivity: now)
        if header.hasInlineContent {
            guard header.inlineContent.count <= limits.maxStreamBytes else {
                return .refused("stream \(header.streamID) from \(sender) carries too much inline content")
            }
            stream.content = header.inlineContent
        }
        open[key] = stream
        return nil
    }

    /// A chunk; chunks of streams we do not read (or never saw) are ignored.
    mutating func chunk(_ chunk: Livekit_DataStream.Chunk, sender: String, now: ContinuousClock.Instant) -> Outcome? {
        let key = Key(sender: sender, id: chunk.streamID)
        guard var stream = open[key] else { return nil }
        if chunk.chunkIndex < stream.nextChunk { return nil }  // a duplicate
        guard chunk.chunkIndex == stream.nextChunk else {
            open[key] = nil
            return .refused("stream \(chunk.streamID) from \(sender) skipped from chunk \(stream.nextChunk) to \(chunk.chunkIndex)")
        }
        guard stream.content.count + chunk.content.count <= limits.maxStreamBytes,
              stream.info.totalLength.map({ UInt64(stream.content.count + chunk.content.count) <= $0 }) ?? true else {
            open[key] = nil
            return .refused("stream \(chunk.streamID) from \(sender) grew past its limit")
        }
        guard !chunk.hasIv else {
            open[key] = nil
            return .refused("stream \(chunk.streamID) from \(sender) is encrypted, which we did not negotiate")
        }
        stream.content.append(chunk.content)
        stream.nextChunk += 1
        stream.lastActivity = now
        open[key] = stream
        return nil
    }

    /// The trailer: the stream is complete (or, with a reason, was abandoned by its sender).
    mutating func trailer(_ trailer: Livekit_DataStream.Trailer, sender: String) -> Outcome? {
        guard var stream = open.removeValue(forKey: Key(sender: sender, id: trailer.streamID)) else { return nil }
        stream.info.attributes.merge(trailer.attributes) { _, trailerValue in trailerValue }
        if !trailer.reason.isEmpty {
            return .refused("stream \(trailer.streamID) from \(sender) ended early: \(trailer.reason)")
        }
        if let total = stream.info.totalLength, total != UInt64(stream.content.count) {
            return .refused("stream \(trailer.streamID) from \(sender) declared \(total) bytes but carried \(stream.content.count)")
        }
        switch stream.info.content {
        case .text:
            guard let text = String(validating: stream.content, as: UTF8.self) else {
                return .refused("text stream \(trailer.streamID) from \(sender) is not UTF-8")
            }
            return .text(ReceivedTextStream(info: stream.info, text: text))
        case .bytes:
            return .bytes(ReceivedByteStream(info: stream.info, data: stream.content))
        }
    }

    /// Drops the streams that have been idle too long.
    mutating func expire(now: ContinuousClock.Instant) -> [Outcome] {
        var refused: [Outcome] = []
        for (key, stream) in open where stream.lastActivity + limits.idleTimeout <= now {
            open[key] = nil
            refused.append(.refused("stream \(key.id) from \(key.sender) went idle for \(limits.idleTimeout) and was dropped"))
        }
        return refused
    }

    /// A participant left: its unfinished streams are gone.
    mutating func senderLeft(_ identity: String) {
        open = open.filter { $0.key.sender != identity }
    }
}
