import Audio
import Foundation
import Providers
import TestSupport

/// Vendor speech answers as the vendors send them, plus the request-side parsing tests need
/// (multipart bodies, PCM bytes). Bodies are written out by hand, not produced by our encoders.
enum SpeechWire {
    // MARK: Answers

    static func openAITranscript(_ text: String) -> ScriptedResponse {
        .json(#"{"text":\#(quoted(text))}"#)
    }

    static func groqTranscript(_ text: String) -> ScriptedResponse {
        .json(#"{"text":\#(quoted(text)),"x_groq":{"id":"req_01jx8c3v5kf7rt"}}"#)
    }

    static func deepgramTranscript(_ text: String, confidence: Double) -> ScriptedResponse {
        .json(#"""
            {"metadata":{"transaction_key":"deprecated","request_id":"5d7ff50e-aad9-4ef4-b08a-a8446365baf7","sha256":"0f1e","created":"2026-12-07T03:00:00.000Z","duration":0.5,"channels":1,"models":["30089e05-99d1-4376-b32e-c263170674af"],"model_info":{"30089e05-99d1-4376-b32e-c263170674af":{"name":"2-general-nova","version":"2024-01-09.29447","arch":"nova-2"}}},"results":{"channels":[{"alternatives":[{"transcript":\#(quoted(text)),"confidence":\#(confidence),"words":[]}]}]}}
            """#)
    }

    /// A raw PCM answer: head, then the bytes in the given chunk sizes with a pause between chunks,
    /// so the client really reads them separately.
    static func pcm(_ bytes: [UInt8], chunkSizes: [Int], contentType: String = "application/octet-stream") -> ScriptedResponse {
        var actions: [ScriptedAction] = [.head(status: 200, headers: [("Content-Type", contentType)])]
        var offset = 0
        var sizes = chunkSizes.makeIterator()
        while offset < bytes.count {
            let size = max(1, sizes.next() ?? 64)
            let end = min(bytes.count, offset + size)
            actions.append(.body(Array(bytes[offset..<end])))
            actions.append(.pause(.milliseconds(15)))
            offset = end
        }
        return ScriptedResponse(actions)
    }

    static func pcmBytes(_ samples: [Int16]) -> [UInt8] {
        samples.flatMap { sample -> [UInt8] in
            let bits = UInt16(bitPattern: sample)
            return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
    }

    /// Samples that make every byte distinctive (a swapped or shifted byte changes the value).
    static func distinctiveSamples(_ count: Int) -> [Int16] {
        (0..<count).map { Int16(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
    }

    static func quoted(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    // MARK: Requests

    /// One part of a multipart/form-data body.
    struct Part: Equatable {
        var name: String
        var filename: String?
        var contentType: String?
        var data: [UInt8]
        var text: String { String(decoding: data, as: UTF8.self) }
    }

    /// Splits a multipart body on the boundary named in `contentType` (RFC 7578). nil when malformed.
    static func multipartParts(_ body: [UInt8], contentType: String?) -> [Part]? {
        guard let contentType, let range = contentType.range(of: "boundary=") else { return nil }
        let boundary = String(contentType[range.upperBound...])
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        var positions: [Int] = []
        var index = 0
        while index + delimiter.count <= body.count {
            if Array(body[index..<(index + delimiter.count)]) == delimiter { positions.append(index); index += delimiter.count }
            else { index += 1 }
        }
        guard positions.count >= 2 else { return nil }
        for (start, end) in zip(positions, positions.dropFirst()) {
            var section = Array(body[(start + delimiter.count)..<end])
            guard section.starts(with: [13, 10]), section.suffix(2) == [13, 10] else { return nil }
            section = Array(section.dropFirst(2).dropLast(2))
            guard let split = (0..<max(0, section.count - 3)).first(where: {
                section[$0] == 13 && section[$0 + 1] == 10 && section[$0 + 2] == 13 && section[$0 + 3] == 10
            }) else { return nil }
            let head = String(decoding: section[..<split], as: UTF8.self)
            let data = Array(section[(split + 4)...])
            var part = Part(name: "", filename: nil, contentType: nil, data: data)
            for line in head.components(separatedBy: "\r\n") {
                if line.lowercased().hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
                if line.lowercased().hasPrefix("content-disposition:") {
                    part.name = attribute("name", in: line) ?? ""
                    part.filename = attribute("filename", in: line)
                }
            }
            parts.append(part)
        }
        let closing = Array(body[positions.last!...])
        guard closing.starts(with: delimiter + Array("--".utf8)) else { return nil }
        return parts
    }

    private static func attribute(_ name: String, in line: String) -> String? {
        guard let range = line.range(of: " \(name)=\"") ?? line.range(of: ";\(name)=\"") else { return nil }
        let rest = line[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}
