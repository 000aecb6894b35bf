/// Which part of a reply the listener actually heard, so a barge-in leaves only that in the chat
/// context (LiveKit does the same: the model must not believe it said what was cut off).
///
/// Text arrives in chunks; each chunk's audio is counted as TTS renders it and as playout plays
/// it. A chunk cut mid-way keeps the share of its words that matches the share of its audio played.
public struct SpokenText: Sendable, Equatable {
    private struct Chunk: Equatable {
        var text: String
        var renderedSamples = 0
        var playedSamples = 0
        var renderingFinished = false
    }

    private var chunks: [Chunk] = []
    /// Speaking rate assumed for a chunk whose audio is still being rendered (espeak's 175 wpm).
    private let wordsPerSecondEstimate = 2.9
    private let sampleRate: Int

    public init(sampleRate: Int) { self.sampleRate = sampleRate }

    /// A chunk was handed to TTS; returns its index.
    public mutating func addChunk(_ text: String) -> Int {
        chunks.append(Chunk(text: text))
        return chunks.count - 1
    }

    public mutating func rendered(_ samples: Int, chunk: Int) {
        guard chunks.indices.contains(chunk) else { return }
        chunks[chunk].renderedSamples += samples
    }

    public mutating func finishedRendering(chunk: Int) {
        guard chunks.indices.contains(chunk) else { return }
        chunks[chunk].renderingFinished = true
    }

    /// Records played audio; returns true when this was the chunk's first audio.
    @discardableResult
    public mutating func played(_ samples: Int, chunk: Int) -> Bool {
        guard chunks.indices.contains(chunk) else { return false }
        let first = chunks[chunk].playedSamples == 0
        chunks[chunk].playedSamples += samples
        return first && samples > 0
    }

    public func text(ofChunk chunk: Int) -> String { chunks.indices.contains(chunk) ? chunks[chunk].text : "" }

    /// Everything handed to TTS, joined.
    public var fullText: String { chunks.map(\.text).joined(separator: " ") }

    /// What was heard: whole chunks played to the end, then the heard share of a cut one.
    public var heardText: String {
        var parts: [String] = []
        for chunk in chunks where chunk.playedSamples > 0 {
            let words = chunk.text.split(separator: " ")
            let share: Double
            if chunk.renderingFinished, chunk.renderedSamples > 0 {
                share = Double(chunk.playedSamples) / Double(chunk.renderedSamples)
            } else {
                let seconds = Double(chunk.playedSamples) / Double(sampleRate)
                share = seconds * wordsPerSecondEstimate / Double(max(1, words.count))
            }
            if share >= 0.999 {
                parts.append(chunk.text)
            } else {
                let kept = Int((share * Double(words.count)).rounded(.down))
                if kept > 0 { parts.append(words.prefix(kept).joined(separator: " ")) }
                break
            }
        }
        return parts.joined(separator: " ")
    }

    /// Whether anything at all was played.
    public var anythingPlayed: Bool { chunks.contains { $0.playedSamples > 0 } }
}
