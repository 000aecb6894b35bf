import Foundation
import LiveKitProtocol

/// The packets of an outgoing LiveKit data stream: a header, chunks of at most 15,000 bytes (text
/// cut only between UTF-8 scalars, so each chunk decodes on its own), and a trailer — the sizes and
/// fields client-sdk-js `OutgoingDataStreamManager` uses (read 2026-12-07).
enum DataStreamWriter {
    static let chunkSize = 15_000

    static func header(id: String, topic: String, content: DataStreamInfo.Content, mimeType: String? = nil,
                       attributes: [String: String], totalLength: UInt64?, timestamp: Int64) -> Livekit_DataStream.Header {
        var header = Livekit_DataStream.Header()
        header.streamID = id
        header.topic = topic
        header.timestamp = timestamp
        header.attributes = attributes
        if let totalLength { header.totalLength = totalLength }
        switch content {
        case .text:
            header.mimeType = mimeType ?? "text/plain"
            var text = Livekit_DataStream.TextHeader()
            text.operationType = .create
            header.textHeader = text
        case .bytes(let name):
            header.mimeType = mimeType ?? "application/octet-stream"
            var bytes = Livekit_DataStream.ByteHeader()
            bytes.name = name
            header.byteHeader = bytes
        }
        return header
    }

    /// `bytes` cut into chunks numbered from `firstIndex`; `text` keeps UTF-8 scalars whole.
    static func chunks(id: String, bytes: Data, firstIndex: UInt64, text: Bool) -> [Livekit_DataStream.Chunk] {
        var chunks: [Livekit_DataStream.Chunk] = []
        var start = bytes.startIndex
        var index = firstIndex
        while start < bytes.endIndex {
            var end = min(start + chunkSize, bytes.endIndex)
            // A UTF-8 continuation byte is 10xxxxxx: back up so the chunk ends on a scalar boundary.
            if text { while end < bytes.endIndex, end > start, bytes[end] & 0xC0 == 0x80 { end -= 1 } }
            var chunk = Livekit_DataStream.Chunk()
            chunk.streamID = id
            chunk.chunkIndex = index
            chunk.content = bytes.subdata(in: start..<end)
            chunks.append(chunk)
            index += 1
            start = end
        }
        return chunks
    }

    static func trailer(id: String, attributes: [String: String], reason: String = "") -> Livekit_DataStream.Trailer {
        var trailer = Livekit_DataStream.Trailer()
        trailer.streamID = id
        trailer.attributes = attributes
        trailer.reason = reason
        return trailer
    }
}
