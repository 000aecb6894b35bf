import Foundation
import Logging
import SteadfastConfig
import TestSupport
import Testing

/// Proof that no path from a configuration to text reveals a credential.
@Suite("Secret redaction")
struct SecretRedactionTests {
    static let secrets = [
        "LIVEKIT_API_SECRET": "lk-7f3a9c2e91d04b6f8a5e3c1d2b4f6a8e",
        "OPENAI_API_KEY": "sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX-wxyz",
        "OPENROUTER_API_KEY": "sk-or-v1-0123456789abcdef0123456789abcdef",
        "ANTHROPIC_API_KEY": "sk-ant-api03-ZZZZZZZZZZZZZZZZZZZZ",
        "GOOGLE_API_KEY": "AIzaSyDUMMYDUMMYDUMMYDUMMY",
        "DEEPGRAM_API_KEY": "short",
    ]

    static func assertNoLeak(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets.values {
            // Any 5+ character run of a secret is a leak: the redacted form shows at most 4.
            let probes = secret.count <= 5 ? [secret] : (0...(secret.count - 5)).map {
                String(secret.dropFirst($0).prefix(5))
            }
            for probe in probes where text.contains(probe) {
                Issue.record("leaked \(probe) of a secret in: \(text)", sourceLocation: sourceLocation)
                return
            }
        }
    }

    @Test func redactedFormShowsAtMostTheLastFourCharacters() {
        #expect(Secret("sk-or-v1-0123456789abcdef").redacted == "…cdef")
        #expect(Secret("short").redacted == "****")
        #expect("\(Secret("0123456789abcdefXYZW"))" == "…XYZW")
    }

    @Test func loggingAConfigurationDoesNotLeak() throws {
        var environment = Self.secrets
        environment["LIVEKIT_API_KEY"] = "APIpublic"
        let config = try ConfigurationLoader(environment: environment, envFile: nil).load()
        let capture = CapturingLogHandler.Store()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(store: capture) }

        logger.info("configuration loaded\n\(config)")
        logger.info("provider", metadata: ["provider.openai": "\(config.provider(.openai))"])
        logger.info("livekit section", metadata: ["livekit": "\(String(describing: config.livekit))"])
        logger.info("reflected \(String(reflecting: config))")
        var dumped = ""
        dump(config, to: &dumped)
        logger.info("dump \(dumped)")
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        logger.info("json \(json)")

        // Each path rendered the secrets it reached, redacted: the leak check below looked at real
        // renderings, not at lines that left the keys out.
        let lines = capture.lines
        #expect(lines.count == 6)
        for (index, line) in lines.enumerated() where index != 2 {
            #expect(line.contains("…wxyz"), "line \(index) should show the OpenAI key's redacted tail: \(line)")
        }
        for (index, line) in lines.enumerated() where index != 1 {
            #expect(line.contains("…6a8e"), "line \(index) should show the LiveKit secret's redacted tail: \(line)")
            #expect(line.contains("APIpublic"), "line \(index): the API key is public and stays readable: \(line)")
        }
        Self.assertNoLeak(lines.joined(separator: "\n"))
    }

    /// The positive control: the leak check does catch a secret, whole or in part.
    @Test func theLeakCheckCatchesASecret() {
        for text in ["key=sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX-wxyz", "tail …UVWX-wxyz", "secret lk-7f3a9"] {
            withKnownIssue("\(text) holds five characters of a secret") { Self.assertNoLeak(text) }
        }
        Self.assertNoLeak("redacted: …wxyz …6a8e **** APIpublic")
    }
}
