import Foundation

/// The one sentence rule of Steadfast. Cuts streamed LLM text into pieces TTS can start on: a
/// sentence as soon as it ends, or a long clause at a comma, so the first audio does not wait for
/// the whole answer. With clause cutting off (`sentencesOnly`) it is `SentenceSplitter`, the
/// sentences TTS fallback resumes at.
///
/// A sentence ends at `.`, `!`, `?` or `…` (and any closing quotes or brackets right after it)
/// followed by whitespace, or at a line break. "3.5", "example.com", "Mr. Smith", "e.g. this" and
/// initials ("J. Doe") stay whole.
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

    /// Cuts at sentence ends and line breaks only, never at a clause.
    public static var sentencesOnly: SentenceChunker {
        SentenceChunker(clauseCharacters: .max, firstClauseCharacters: .max)
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
    /// whitespace (closing quotes may come between), a line break, or (for long clauses) a clause
    /// mark followed by whitespace.
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
            if let end = sentenceEnd(at: index), !endsWithAbbreviation(upTo: end) { return next }
            if ",;:".contains(character), length >= minimumClause { return next }
            index = next
        }
        return nil
    }

    /// The sentence mark that `index` ends: the character itself, or the mark before a run of
    /// closing quotes and brackets ("stop." with its quote).
    private func sentenceEnd(at index: String.Index) -> String.Index? {
        var mark = index
        while Self.closers.contains(pending[mark]) {
            guard mark > pending.startIndex else { return nil }
            mark = pending.index(before: mark)
        }
        return Self.sentenceMarks.contains(pending[mark]) ? mark : nil
    }

    private static let sentenceMarks: Set<Character> = [".", "!", "?", "…"]
    private static let closers: Set<Character> = ["\"", "'", ")", "]", "»", "”", "’"]

    /// "Mr." or "e.g." followed by a space is not the end of a sentence.
    private func endsWithAbbreviation(upTo period: String.Index) -> Bool {
        guard pending[period] == "." else { return false }
        let word = (pending[..<period].split(whereSeparator: { $0.isWhitespace }).last ?? "")
            .drop { Self.openers.contains($0) }
        return Self.abbreviations.contains(word.lowercased()) || (word.count == 1 && word.first?.isLetter == true)
    }

    private static let openers: Set<Character> = ["\"", "'", "(", "[", "«", "“", "‘"]

    private static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "approx"]
}
