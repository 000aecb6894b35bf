import CPocketSphinx
import Foundation

/// Owns one pocketsphinx decoder (`ps_decoder_t`). Blocking and not thread-safe: its owner runs
/// every call on one serial queue.
final class PocketSphinxDecoder {
    private let decoder: OpaquePointer

    /// Recognized text and the posterior probability of the hypothesis (0...1).
    struct Hypothesis {
        var text: String
        var confidence: Double?
    }

    init(model: PocketSphinxModel) throws(LocalSpeechError) {
        try model.validate()
        // The variadic cmd_ln_init cannot be called from Swift; cmd_ln_parse_r takes argv instead.
        // argv[0] is the program name, which the parser skips. "-cmn current": every call gets a
        // whole utterance, so normalize over that utterance alone; the default ("live") carries an
        // estimate over from earlier calls, which made results depend on what was decoded before.
        let arguments = ["steadfast", "-hmm", model.acousticModel, "-lm", model.languageModel,
                         "-dict", model.dictionary, "-samprate", "16000", "-cmn", "current", "-logfn", "/dev/null"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        guard let config = cmd_ln_parse_r(nil, ps_args(), Int32(argv.count), &argv, 1) else {
            throw LocalSpeechError(.engineFailed, "pocketsphinx rejected its configuration (\(arguments.dropFirst()))")
        }
        defer { cmd_ln_free_r(config) }  // ps_init keeps its own reference
        guard let decoder = ps_init(config) else {
            throw LocalSpeechError(.engineFailed, "pocketsphinx could not load the model in \(model.acousticModel) "
                                   + "(files present but unreadable or corrupt; reinstall pocketsphinx-en-us)")
        }
        self.decoder = decoder
    }

    deinit { ps_free(decoder) }

    /// Decodes one whole utterance of 16 kHz mono samples. nil when the decoder failed.
    func decode(_ samples: [Int16]) -> Hypothesis? {
        guard ps_start_utt(decoder) >= 0 else { return nil }
        let processed = samples.withUnsafeBufferPointer { buffer in
            ps_process_raw(decoder, buffer.baseAddress, buffer.count, 0, 1)
        }
        guard ps_end_utt(decoder) >= 0, processed >= 0 else { return nil }
        guard let hypothesis = ps_get_hyp(decoder, nil) else { return Hypothesis(text: "", confidence: nil) }
        let text = String(cString: hypothesis)
        let probability = logmath_exp(ps_get_logmath(decoder), ps_get_prob(decoder))
        return Hypothesis(text: text, confidence: probability.isFinite ? min(1, max(0, probability)) : nil)
    }
}

@available(*, unavailable)
extension PocketSphinxDecoder: Sendable {}
