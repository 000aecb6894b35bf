import SansIO
/// A made-up word unique to one test run, for a scripted model to answer with.
///
/// A reply that contains it cannot have come from a greeting, a canned reply or an earlier run, so
/// a test that finds it knows the answer really went through the model. It is pronounceable
/// (consonant-vowel syllables), so a TTS engine speaks it as a word. The seed is part of the
/// result: print it in failure messages to reproduce the word.
public struct RunToken: Sendable, CustomStringConvertible {
    public let word: String
    public let seed: UInt64

    public init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        var generator = SplitMix64(seed: seed)
        let consonants = Array("bdfgklmnprstvz"), vowels = Array("aeiou")
        word = String((0..<4).flatMap { _ in
            [consonants[Int.random(in: 0..<consonants.count, using: &generator)],
             vowels[Int.random(in: 0..<vowels.count, using: &generator)]]
        })
        self.seed = seed
    }

    public var description: String { "\(word) (seed \(seed))" }
}
