/// Cuts streamed LLM text into pieces TTS can start on: a sentence as soon as it ends, or a long
/// clause at a comma, so the first audio does not wait for the whole answer.
///
/// Pure value type: `append` takes each delta and returns the chunks it completed; `finish`
/// returns what is left. Chunks joined with spaces give back the text (whitespace normalized).
public struct SentenceChunker: Sendable {
    /// A clause of at least this many characters is spoken at a `,`, `;` or `:` rather than
    /// waiting for the sentence's end. Shorter clauses would make choppy speech.
    public var clauseCharacters: Int
    /// The first chunk of an answer may be cut at a clause this short: it is the one the caller waits for.
    public var firstClauseCharacters: Int

    private var pending = ""
    private var emitted = 0

    public init(clauseCharacters: Int = 60, firstClauseCharacters: Int = 20) {
        self.clauseCharacters = clauseCharacters
        self.firstClauseCharacters = firstClauseCharacters
    }

    /// Adds a delta and returns the chunks it completed, in order.
    public mutating func append(_ delta: String) -> [String] {
        pending += delta
        var chunks: [String] = []
        while let cut = nextCut() {
            let chunk = String(pending[..<cut]).trimmingCharacters(in: .whitespacesAndNewlines)
            pending = String(pending[cut...])
            if !chunk.isEmpty {
                chunks.append(chunk)
                emitted += 1
            }
        }
        return chunks
    }

    /// The rest of the text, once the stream has ended.
    public mutating func finish() -> String? {
        let rest = pending.trimmingCharacters(in: .whitespacesAndNewlines)
        pending = ""
        guard !rest.isEmpty else { return nil }
        emitted += 1
        return rest
    }

    /// Where the first complete chunk in `pending` ends: just after a sentence end followed by
    /// whitespace, a line break, or (for long clauses) a clause mark followed by whitespace.
    private func nextCut() -> String.Index? {
        let minimumClause = emitted == 0 ? firstClauseCharacters : clauseCharacters
        var index = pending.startIndex
        var length = 0
        while index < pending.endIndex {
            let character = pending[index]
            let next = pending.index(after: index)
            length += 1
            if character.isNewline { return next }
            guard next < pending.endIndex, pending[next].isWhitespace else {
                index = next
                continue
            }
            if ".!?…".contains(character), !endsWithAbbreviation(upTo: index) { return next }
            if ",;:".contains(character), length >= minimumClause { return next }
            index = next
        }
        return nil
    }

    /// "Mr." or "e.g." followed by a space is not the end of a sentence.
    private func endsWithAbbreviation(upTo period: String.Index) -> Bool {
        guard pending[period] == "." else { return false }
        let word = pending[..<period].split(whereSeparator: { $0.isWhitespace }).last ?? ""
        return Self.abbreviations.contains(word.lowercased()) || (word.count == 1 && word.first?.isLetter == true)
    }

    private static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "approx"]
}
