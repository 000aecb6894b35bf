import Foundation
import SteadfastConfig
import Testing

@Suite(".env parsing")
struct DotEnvParserTests {
    @Test func readsTheCommonForms() throws {
        let values = try DotEnvParser.parse("""
            # a comment
            PLAIN=value
            SPACED = spaced value   # trailing comment
            export EXPORTED=yes
            SINGLE='literal # not a comment \\n'
            DOUBLE="line\\nbreak \\"quoted\\""
            EMPTY=
            URL=https://example.com/a#fragment
            WINDOWS=crlf\r
            """)
        #expect(values["PLAIN"] == "value")
        #expect(values["SPACED"] == "spaced value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SINGLE"] == "literal # not a comment \\n")
        #expect(values["DOUBLE"] == "line\nbreak \"quoted\"")
        #expect(values["EMPTY"] == "")
        #expect(values["URL"] == "https://example.com/a#fragment", "only ' #' starts a comment")
        #expect(values["WINDOWS"] == "crlf")
    }

    @Test(arguments: [
        ("NOEQUALS", "line 1: expected KEY=value"),
        ("1BAD=x", "line 1: \"1BAD\" is not a valid variable name"),
        ("K=\"open", "line 1: the value of K has no closing \""),
        ("OK=1\nK='a' junk", "line 2: unexpected text after the quoted value of K"),
    ])
    func errorsNameTheLine(text: String, message: String) {
        #expect(throws: ConfigError(.badEnvFile, ".env " + message)) { try DotEnvParser.parse(text) }
    }

    @Test func errorsNeverEchoTheValue() {
        do {
            _ = try DotEnvParser.parse("SECRET=\"sk-live-abcdefghijklmnop")
            Issue.record("expected an error")
        } catch {
            #expect(!error.message.contains("abcdefgh"))
        }
    }

    /// Issue 9: Swift reads "\r\n" as one Character, so splitting on "\n" made a Windows file one line.
    @Test(arguments: ["\r\n", "\r", "\n"])
    func everyLineEndingKeepsEveryVariable(ending: String) throws {
        let text = ["A=1", "B=\"two\"", "# comment", "", "C='three'", "D=four # note"].joined(separator: ending) + ending
        let values = try DotEnvParser.parse(text)
        #expect(values == ["A": "1", "B": "two", "C": "three", "D": "four"])
    }

    @Test func aByteOrderMarkIsIgnored() throws {
        #expect(try DotEnvParser.parse("\u{FEFF}FIRST=1\r\nSECOND=2\r\n") == ["FIRST": "1", "SECOND": "2"])
    }

    @Test func controlCharactersInErrorsAreEscaped() {
        #expect(throws: ConfigError(.badEnvFile, ".env line 2: \"\\x1b]0;pwned\\x07X\" is not a valid variable name")) {
            try DotEnvParser.parse("OK=1\n\u{1B}]0;pwned\u{07}X=2\n")
        }
        #expect(throws: ConfigError(.badEnvFile, "bad\\x1b[2J.env line 1: expected KEY=value")) {
            try DotEnvParser.parse("junk", fileName: "bad\u{1B}[2J.env")
        }
    }

    /// A combining mark after a quote or `=` must not hide it (Characters would merge them).
    @Test func combiningMarksDoNotMergeWithSyntax() throws {
        #expect(try DotEnvParser.parse("K=\"e\u{301}\"\nL=\u{301}x") == ["K": "e\u{301}", "L": "\u{301}x"])
    }

    static func file(_ data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString)").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aHugeFileIsRefusedNotRead() throws {
        let path = try Self.file(Data(repeating: UInt8(ascii: "#"), count: (1 << 20) + 1))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigError(.badEnvFile, "\(path) is larger than 1048576 bytes (the limit for configuration files)")) {
            try ConfigurationLoader(environment: [:], envFile: path).variables()
        }
    }

    @Test func aFileThatIsNotUTF8IsRefusedAtItsLine() throws {
        let path = try Self.file(Data("A=1\nB=caf".utf8) + Data([0xE9]) + Data("\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigError(.badEnvFile, "\(path) line 2: not UTF-8 text; save the file as UTF-8")) {
            try ConfigurationLoader(environment: [:], envFile: path).variables()
        }
    }

    @Test func aWindowsFileLoadsThroughTheLoader() throws {
        let path = try Self.file(Data("\u{FEFF}LIVEKIT_API_KEY=key\r\nLIVEKIT_URL=wss://lk.example\r\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ConfigurationLoader(environment: [:], envFile: path).load()
        #expect(config.livekit.apiKey == "key")
        #expect(config.livekit.url?.host == "lk.example")
    }
}
