import Foundation
import OpenSSLCrypto
import TestSupport
import Testing

/// Numbers and arguments from the command line and from signed tokens: each out-of-range value is a
/// one-line refusal naming the flag or claim, never a trap (a trap ends the process by a signal, which
/// `Subprocess` reports as a status above 128) and never a silently different value.
@Suite("steadfast CLI: numbers and arguments from outside", .timeLimit(.minutes(2)))
struct InputRangeCLITests {
    static func expectRefused(_ result: SubprocessResult, mentioning words: [String]) {
        #expect(result.status != 0 && result.status < 128, "status \(result.status); stderr: \(result.stderr)")
        for word in words { #expect(result.stderr.contains(word), "stderr lacks \(word): \(result.stderr)") }
        #expect(!result.stderr.contains("Fatal error"), "trapped: \(result.stderr)")
    }

    /// Signs a payload with the CLI tests' credentials (the claims are otherwise good).
    static func signedToken(extraClaims: String) -> String {
        func base64url(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let now = Int(Date().timeIntervalSince1970)
        let notBefore = extraClaims.contains(#""nbf""#) ? "" : #""nbf":\#(now - 10),"#
        let payload = #"{"iss":"\#(SteadfastCLITests.apiKey)","sub":"caller",\#(notBefore)"#
            + #""video":{"roomJoin":true,"room":"demo"},\#(extraClaims)}"#
        let input = base64url(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + base64url(Array(payload.utf8))
        return input + "." + base64url(try! HMAC.authenticate(Array(input.utf8), key: Array(SteadfastCLITests.apiSecret.utf8), digest: .sha256))
    }

    @Test(arguments: [#""exp":1e300"#, #""exp":9223372036854775808"#, #""exp":9999999999,"nbf":-1e300"#])
    func tokenVerifyRefusesTimeClaimsOutOfRange(claims: String) async throws {
        let token = Self.signedToken(extraClaims: claims)
        let result = try await SteadfastCLITests.run(["token", "verify", token], env: SteadfastCLITests.credentials)
        Self.expectRefused(result, mentioning: ["token refused (invalidClaims)", "253402300799"])
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
    }

    @Test(arguments: ["nan", "1e300", "-1", "inf"])
    func rtcPeerDurationMustBeFiniteAndInRange(value: String) async throws {
        let result = try await SteadfastCLITests.run(["rtc", "peer", "--role", "offer", "--loopback", "--duration", value])
        Self.expectRefused(result, mentioning: ["--duration"])
    }

    @Test func httpPortMinusOneIsAcceptedAsOff() async throws {
        // With the port accepted, `start` goes on to the next check: LIVEKIT_URL.
        let result = try await SteadfastCLITests.run(["start", "--http-port", "-1"])
        #expect(result.status != 0)
        #expect(!result.stderr.contains("--http-port") && !result.stderr.contains("Missing value"), "\(result.stderr)")
        #expect(result.stderr.contains("LIVEKIT_URL"), "\(result.stderr)")
    }

    @Test(arguments: ["70000", "-2", "65536"])
    func httpPortOutOfRangeIsRefused(value: String) async throws {
        let result = try await SteadfastCLITests.run(["start", "--http-port", value])
        Self.expectRefused(result, mentioning: ["--http-port must be between -1 and 65535", "got \(value)"])
    }

    @Test(arguments: ["-5", "0", "99999999999"])
    func askMaxTokensOutOfRangeIsRefused(value: String) async throws {
        let result = try await SteadfastCLITests.run(["ask", "--max-tokens", value, "hello"])
        Self.expectRefused(result, mentioning: ["--max-tokens"])
        #expect(!result.stderr.contains("Missing value"))
    }

    @Test(arguments: ["worker check", "providers check"])
    func timeoutsOutOfRangeAreRefused(command: String) async throws {
        let result = try await SteadfastCLITests.run(command.split(separator: " ").map(String.init) + ["--timeout", "0"])
        Self.expectRefused(result, mentioning: ["--timeout must be between 1 and 3600"])
    }

    /// `ask -` reads the whole of standard input: a 2 MB prompt reaches the provider intact.
    @Test func askDashReadsAWholeLargePromptFromStandardInput() async throws {
        let openai = try ScriptedHTTPServer(responses: [AskAndProvidersCLITests.streaming(["Read", " it."])])
        defer { openai.stop() }
        let marker = "END-OF-PROMPT-\(UUID().uuidString)"
        let prompt = String(repeating: "word ", count: 400_000) + marker
        let result = try await SteadfastCLITests.run(["ask", "-"], env: [
            "OPENAI_API_KEY": AskAndProvidersCLITests.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
        ], input: prompt)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.hasPrefix("Read it."))
        let request = try #require(openai.requests.first)
        #expect(request.bodyText.contains(marker), "the end of the prompt reached the provider")
        #expect(request.bodyText.utf8.count > 2_000_000)
        #expect(!request.bodyText.contains(#""content":"-""#))
    }
}

/// Output files and streams: written through, every failure a non-zero exit with the cause.
@Suite("steadfast CLI: output files", .timeLimit(.minutes(3)))
struct OutputFileCLITests {
    @Test func consoleOutToAFullDeviceFailsWithTheCause() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let question = directory.appendingPathComponent("question.wav").path
        let spoken = try await Subprocess.run("/usr/bin/espeak-ng", ["-w", question, "Hello there."])
        #expect(spoken.status == 0, "espeak-ng: \(spoken.stderr)")
        let result = try await SteadfastCLITests.run(["console", "--in", question, "--out", "/dev/full"])
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("cannot write /dev/full: no space left on device"), "\(result.stderr)")
    }

    @Test func consoleInThatDoesNotExistIsOneLine() async throws {
        let result = try await SteadfastCLITests.run(["console", "--in", "q.wav", "--out", "a.wav"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such file: q.wav"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain") && !result.stderr.contains("Error Domain"))
    }

    /// Standard output on a full device: `token create` fails instead of exiting 0 with the token lost.
    @Test func aFullStandardOutputIsAFailure() async throws {
        let result = try await Subprocess.run(
            "/bin/sh", ["-c", "\"$0\" token create --identity a --room r > /dev/full", try SteadfastCLITests.binary()],
            environment: ["PATH": "/usr/bin:/bin"].merging(SteadfastCLITests.credentials) { $1 })
        #expect(result.status == 1, "status \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("cannot write to standard output"), "\(result.stderr)")
    }
}

/// The first lines of `console` say what runs, and warn when no LLM key is set.
@Suite("steadfast CLI: startup banner", .timeLimit(.minutes(1)))
struct StartupBannerCLITests {
    @Test func withoutKeysTheBannerWarnsThatOnlyCannedRepliesAnswer() async throws {
        let result = try await SteadfastCLITests.run(["console", "--text"], input: "hello\n")
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("steadfast: agent assistant · LLM local"), "\(result.stderr)")
        #expect(result.stderr.contains("no LLM key is set: canned replies only; add OPENAI_API_KEY or OPENROUTER_API_KEY"))
    }

    @Test func withAKeyTheBannerNamesTheChainAndDoesNotWarn() async throws {
        let result = try await SteadfastCLITests.run(["console", "--text"], env: ["GROQ_API_KEY": "gsk_banner_test_0123456789"],
                                                     input: "")
        #expect(result.stderr.contains("LLM groq"), "\(result.stderr)")
        #expect(!result.stderr.contains("no LLM key is set"))
        #expect(!result.stderr.contains("gsk_banner_test_0123456789"))
    }
}

/// Model text with terminal control sequences is shown escaped, never interpreted by the terminal.
@Suite("steadfast CLI: terminal escapes", .timeLimit(.minutes(1)))
struct TerminalEscapeCLITests {
    @Test func escapeSequencesFromTheModelAreShownEscaped() async throws {
        // OSC 0 retitles the terminal; CSI 2J clears it.
        let openai = try ScriptedHTTPServer(responses: [
            AskAndProvidersCLITests.streaming(["\u{1B}]0;owned\u{07}Hello", " \u{1B}[2Jthere."]),
        ])
        defer { openai.stop() }
        let result = try await SteadfastCLITests.run(["ask", "hi"], env: [
            "OPENAI_API_KEY": AskAndProvidersCLITests.openAIKey, "OPENAI_BASE_URL": openai.baseURL.absoluteString + "/v1",
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"), "raw control bytes reached stdout")
        #expect(result.stdout.hasPrefix(#"\u{1B}]0;owned\u{7}Hello \u{1B}[2Jthere."#), "\(result.stdout)")
    }
}
