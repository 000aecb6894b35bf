import Audio
import Foundation
import TestSupport

/// Real speech for the audio tests, synthesized at test time by the espeak-ng command line.
enum SpeechFixtures {
    struct SpeakFailed: Error { let status: Int32; let stderr: String }

    /// Writes `text` as espeak-ng's 22.05 kHz mono WAV at `url`.
    static func speak(_ text: String, to url: URL, voice: String = "en") async throws {
        let result = try await Subprocess.run("/usr/bin/espeak-ng", ["-v", voice, "-w", url.path, text])
        guard result.status == 0 else { throw SpeakFailed(status: result.status, stderr: result.stderr) }
    }

    /// `text` spoken and resampled to `rate`, read back through `WAVFile`.
    static func speech(_ text: String, rate: Int = 48_000, voice: String = "en") async throws -> AudioFrame {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("steadfast-speech-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try await speak(text, to: url, voice: voice)
        return try Resampler.convert(try WAVFile.read(url: url), to: rate, quality: 7)
    }
}
