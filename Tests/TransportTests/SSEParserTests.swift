import Testing
import TestSupport
import Transport

@Suite("SSE parser")
struct SSEParserTests {
    static let stream = """
        : OPENROUTER PROCESSING\r
        \r
        data: {"a":1}\r
        \r
        event: content_block_delta\r
        data: {"b":\r
        data: 2}\r
        \r
        id: 7\r
        data: third\r
        \r
        :keep-alive\r
        data:no-space\r
        \r
        data: [DONE]\r
        \r

        """

    static let expected = [
        SSEEvent(data: #"{"a":1}"#),
        SSEEvent(event: "content_block_delta", data: "{\"b\":\n2}"),
        SSEEvent(data: "third", id: "7"),
        SSEEvent(data: "no-space", id: "7"),
        SSEEvent(data: "[DONE]", id: "7"),
    ]

    @Test func parsesFieldsCommentsAndMultiLineData() {
        var parser = SSEParser()
        #expect(parser.feed(Array(Self.stream.utf8)) + parser.finish() == Self.expected)
        #expect(parser.commentCount == 2)
    }

    @Test(arguments: ["\n", "\r", "\r\n"])
    func everyLineEndingWorks(ending: String) {
        let text = Self.stream.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: ending)
        var parser = SSEParser()
        #expect(parser.feed(Array(text.utf8)) + parser.finish() == Self.expected)
    }

    /// The same stream split at random byte boundaries (including inside CRLF and UTF-8 sequences)
    /// must give the same events.
    @Test func randomChunkSplitsGiveTheSameEvents() {
        let bytes = Array((Self.stream + "data: ünïcode ✓ 🎙\r\n\r\n").utf8)
        let expected = Self.expected + [SSEEvent(data: "ünïcode ✓ 🎙", id: "7")]
        // Seeded, so a failing split can be reproduced.
        var generator = SplitMix64(seed: 0x55E_5EED)
        for _ in 0..<500 {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            var index = 0
            while index < bytes.count {
                let size = Int.random(in: 1...7, using: &generator)
                events += parser.feed(bytes[index..<min(bytes.count, index + size)])
                index += size
            }
            events += parser.finish()
            #expect(events == expected)
            if events != expected { break }
        }
    }

    @Test func finalEventWithoutBlankLineIsDeliveredOnFinish() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: tail".utf8)).isEmpty)
        #expect(parser.finish() == [SSEEvent(data: "tail")])
    }

    @Test func eventWithoutDataIsNotDispatched() {
        var parser = SSEParser()
        #expect(parser.feed(Array("event: ping\n\n".utf8)).isEmpty)
    }

    @Test func overlongLinesAreCappedNotAccumulated() {
        var parser = SSEParser(maximumLineLength: 16)
        let events = parser.feed(Array(("data: " + String(repeating: "x", count: 100) + "\n\n").utf8))
        #expect(events.first?.data.count == 10)
    }

    /// A server that sends `data:` lines forever without ending the event: memory stays bounded.
    @Test func anEventThatNeverEndsIsBounded() {
        var parser = SSEParser(maximumLineLength: 1024, maximumEventSize: 64 * 1024)
        let line = Array("data: 0123456789abcdef0123456789abcdef\n".utf8)
        for _ in 0..<100_000 { #expect(parser.feed(line).isEmpty) }
        let events = parser.finish()
        #expect(events.count == 1)
        #expect((events.first?.data.utf8.count ?? 0) <= 64 * 1024)
        #expect((events.first?.data.utf8.count ?? 0) > 60 * 1024, "kept up to the limit")
        // The next event starts from an empty budget.
        #expect(parser.feed(Array("data: {}\n\n".utf8)).map(\.data) == ["{}"])
    }
}
