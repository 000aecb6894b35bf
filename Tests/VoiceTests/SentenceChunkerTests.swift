import TestSupport
import Providers
import Testing
@testable import Voice

@Suite("SentenceChunker")
struct SentenceChunkerTests {
    static func chunks(_ deltas: [String]) -> [String] {
        var chunker = SentenceChunker()
        var result = deltas.flatMap { chunker.append($0) }
        if let rest = chunker.finish() { result.append(rest) }
        return result
    }

    @Test func sentencesAreReleasedAsSoonAsTheyEnd() {
        var chunker = SentenceChunker()
        #expect(chunker.append("It's 12 degrees") == [])
        #expect(chunker.append(" in Paris.") == [], "a period may still be a decimal point until the next character")
        #expect(chunker.append(" Take an umbrella!") == ["It's 12 degrees in Paris."])
        #expect(chunker.finish() == "Take an umbrella!")
        #expect(chunker.finish() == nil)
    }

    @Test func decimalsAbbreviationsAndInitialsDoNotEndASentence() {
        #expect(Self.chunks(["It is 3.5 degrees. Dr. Smith and J. Doe agree, e.g. today. Yes."])
                == ["It is 3.5 degrees.", "Dr. Smith and J. Doe agree, e.g. today.", "Yes."])
    }

    @Test func longClausesAreCutAtCommasButShortOnesWait() {
        let first = "Well, the forecast for tomorrow in Paris says, "
        let rest = "after a cloudy morning with some light rain in the north of the city, it clears up"
        let chunks = Self.chunks([first + rest + ". Nice."])
        // The first chunk may be a short clause (the caller waits for it); later ones must be long.
        #expect(chunks.first == "Well, the forecast for tomorrow in Paris says,")
        #expect(chunks.dropFirst().first?.hasPrefix("after a cloudy morning") == true)
        #expect(chunks.last == "Nice.")
        #expect(chunks.dropFirst().dropLast().allSatisfy { $0.count >= 60 || $0.hasSuffix(".") })
    }

    @Test func lineBreaksEndAChunk() {
        #expect(Self.chunks(["First line\nSecond line"]) == ["First line", "Second line"])
    }

    /// Wherever the stream splits the text, the chunks are the same (providers split anywhere).
    @Test(arguments: 0..<50)
    func chunksDoNotDependOnHowTheTextWasSplit(seed: Int) {
        let text = "Hi there! It's 21.5°C in Nice, with a light breeze from the sea and a few clouds over the hills, "
            + "so a walk is a good idea. Mr. Brown said so… Really? Yes.\nBye"
        var random = SplitMix64(seed: UInt64(seed))
        var deltas: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            let length = Int.random(in: 1...7, using: &random)
            deltas.append(String(rest.prefix(length)))
            rest = rest.dropFirst(length)
        }
        let whole = Self.chunks([text])
        #expect(Self.chunks(deltas) == whole)
        #expect(whole.joined(separator: " ") == text.replacingOccurrences(of: "\n", with: " "))
    }
}

/// The chunker and the whole-text splitter are one rule: what each tested on its own holds for both.
@Suite("One sentence rule")
struct SentenceRuleTests {
    @Test func aClosingQuoteAfterTheMarkStillEndsTheSentence() {
        #expect(SentenceChunkerTests.chunks(["He said \"stop.\" Then he left."]) == ["He said \"stop.\"", "Then he left."])
        #expect(SentenceChunkerTests.chunks(["(Really?) Yes."]) == ["(Really?)", "Yes."])
    }

    @Test func theSplitterKeepsAbbreviationsAndInitialsWhole() {
        #expect(SentenceSplitter.split("Dr. Smith and J. Doe agree, e.g. today. \"Yes.\" Bye")
                == ["Dr. Smith and J. Doe agree, e.g. today.", "\"Yes.\"", "Bye"])
    }

    @Test func theSplitterNeverCutsAtAClause() {
        let long = "Well, the forecast for tomorrow in Paris says, after a cloudy morning with some light rain, it clears"
        #expect(SentenceSplitter.split(long + ". Nice.") == [long + ".", "Nice."])
    }
}
