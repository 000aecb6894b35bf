import Audio

/// What cloud STT adapters upload: the utterance as a 16 kHz mono 16-bit PCM WAV file.
///
/// 16 kHz is what Whisper-family and Deepgram models work at internally, so anything higher only
/// costs upload time; WAV is accepted by every vendor and needs no codec.
enum SpeechUpload {
    static let sampleRate = 16_000

    /// The WAV bytes of `audio` downmixed and resampled; throws `.badRequest` when it cannot be converted.
    static func wav(_ audio: AudioFrame, provider: String) throws(ProviderError) -> [UInt8] {
        let mono = audio.mixedToMono()
        do {
            return WAVFile.encode(try Resampler.convert(mono, to: sampleRate))
        } catch {
            throw ProviderError(.badRequest, "cannot resample \(audio.sampleRate) Hz audio: \(error)", provider: provider)
        }
    }

    /// ISO-639-1 code of a BCP-47 tag ("en-US" → "en"), what OpenAI-style endpoints take.
    static func primaryLanguage(_ tag: String) -> String {
        String(tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? Substring(tag)).lowercased()
    }
}
