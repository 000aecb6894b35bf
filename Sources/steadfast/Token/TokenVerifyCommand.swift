import ArgumentParser
import Foundation
import LiveKitProtocol
import SteadfastConfig

/// `steadfast token verify`: checks a JWT as a LiveKit server would and prints its claims.
struct TokenVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a token against LIVEKIT_API_KEY/LIVEKIT_API_SECRET and print its claims as JSON.")

    @OptionGroup var configurationOptions: ConfigurationOptions

    @Argument(help: "The JWT, or - to read it from standard input (keeps it out of shell history).")
    var token: String

    func run() async throws {
        let config = try configurationOptions.load()
        let credentials: (apiKey: String, apiSecret: Secret)
        do { credentials = try config.requireLiveKitCredentials(for: "steadfast token verify") } catch {
            throw CommandFailure(error.message)
        }
        let jwt = token == "-" ? (readLine(strippingNewline: true) ?? "") : token
        let verifier = TokenVerifier(keys: [credentials.apiKey: credentials.apiSecret.unredactedValue])
        do {
            printFlushed(try verifier.verify(jwt.trimmingCharacters(in: .whitespacesAndNewlines)).payloadJSON())
        } catch {
            throw CommandFailure("token refused (\(error.code.rawValue)): \(error.message)")
        }
    }
}
