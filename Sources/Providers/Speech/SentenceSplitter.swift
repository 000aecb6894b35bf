/// Splits text for speech into sentences, the unit TTS fallback resumes at.
///
/// Deliberately plain: a sentence ends at `.`, `!`, `?` or `…` followed by whitespace, or at a
/// line break. "3.5" and "example.com" stay whole; an abbreviation like "Mr. Smith" splits, which
/// only costs a slightly earlier resume point.
public enum SentenceSplitter {
    public static func split(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        var previousEndsSentence = false
        for character in text {
            if character.isNewline {
                flush(&current, into: &sentences)
                previousEndsSentence = false
                continue
            }
            if previousEndsSentence, character.isWhitespace {
                flush(&current, into: &sentences)
                previousEndsSentence = false
                continue
            }
            current.append(character)
            previousEndsSentence = ".!?…".contains(character)
                || (previousEndsSentence && "\"')]»”’".contains(character))
        }
        flush(&current, into: &sentences)
        return sentences
    }

    private static func flush(_ current: inout String, into sentences: inout [String]) {
        let trimmed = current.trimmingWhitespace()
        if !trimmed.isEmpty { sentences.append(trimmed) }
        current = ""
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
