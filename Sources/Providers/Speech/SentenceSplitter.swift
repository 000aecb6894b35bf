/// Splits whole text for speech into sentences, the unit TTS fallback resumes at: the same rule
/// as the streaming `SentenceChunker` (one copy of it), without the clause cuts.
public enum SentenceSplitter {
    public static func split(_ text: String) -> [String] {
        var chunker = SentenceChunker.sentencesOnly
        var sentences = chunker.append(text)
        if let rest = chunker.finish() { sentences.append(rest) }
        return sentences
    }
}
