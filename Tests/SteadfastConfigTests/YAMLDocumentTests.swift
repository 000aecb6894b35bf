import Foundation
import SteadfastConfig
import Testing
import Yams

/// Every YAML the program reads is bounded before it is composed: size, depth, alias expansion.
@Suite("YAML limits", .timeLimit(.minutes(1)))
struct YAMLDocumentTests {
    /// Nine levels of nine aliases each: 9^9 (387 million) nodes once expanded, in under 1 KB.
    static func aliasBomb(levels: Int = 9, indent: String = "") -> String {
        let names = (0..<levels).map { "l\($0)" }
        var lines = ["\(indent)\(names[0]): &\(names[0]) [x, x, x, x, x, x, x, x, x]"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(indent)\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func anAliasBombIsRefusedQuicklyWithTheLine() throws {
        let start = ContinuousClock.now
        #expect {
            try YAMLDocument.compose(Self.aliasBomb(), file: "bomb.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("bomb.yaml line ") && message.contains("expand to more than 100000 nodes")
                && !message.contains("\n")
        }
        #expect(ContinuousClock.now - start < .seconds(10), "expanding would take far longer; 10 s allows a loaded CI machine")
    }

    /// An alias used as a mapping key makes Yams hash the whole expanded subtree while composing.
    @Test func aBombUsedAsAMappingKeyNeverReachesTheComposer() {
        let start = ContinuousClock.now
        #expect(throws: ConfigError.self) { try YAMLDocument.compose(Self.aliasBomb() + "? *l8\n: boom\n", file: nil) }
        #expect(ContinuousClock.now - start < .seconds(10), "expanding would take far longer; 10 s allows a loaded CI machine")
    }

    @Test func modestAnchorsStillWork() throws {
        let root = try #require(try YAMLDocument.compose("""
            base: &base {type: string}
            a: *base
            b: *base
            """, file: "ok.yaml"))
        #expect(root["b"]?["type"]?.string == "string")
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect {
            try YAMLDocument.compose(deep, file: "deep.yaml")
        } throws: { error in
            (error as? ConfigError)?.message == "deep.yaml line 1: nested more than 64 levels deep (the limit)"
        }
        // Deeper still, libyaml's own nesting limit answers first; either way one line, no recursion.
        let deeper = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect {
            try YAMLDocument.compose(deeper, file: "deep.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("deep.yaml line 1: ") && message.lowercased().contains("nest")
        }
    }

    @Test func oversizedDocumentsAreRefused() {
        let big = "k: " + String(repeating: "x", count: 2 << 20)
        #expect {
            try YAMLDocument.compose(big, file: "big.yaml")
        } throws: { error in
            (error as? ConfigError)?.message.hasPrefix("big.yaml the file is ") == true
        }
    }

    @Test func syntaxErrorsAreOneLineWithEscapedContent() {
        #expect {
            try YAMLDocument.compose("a: 1\nb: [\u{1B}[31m\n", file: "s.yaml")
        } throws: { error in
            let message = (error as? ConfigError)?.message ?? ""
            return message.hasPrefix("s.yaml line ") && !message.contains("\n") && !message.contains("\u{1B}")
        }
    }

    @Test func unprintableCharactersAreEscaped() {
        #expect("a\u{1B}[2Jb\u{7F}\t\u{202E}é".escapingUnprintable == "a\\x1b[2Jb\\x7f\\x09\\u{202e}é")
    }
}
