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
}
