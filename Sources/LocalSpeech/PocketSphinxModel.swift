import Foundation

/// Where PocketSphinx's acoustic model, language model and dictionary live.
public struct PocketSphinxModel: Sendable, Equatable {
    /// Directory of the acoustic model (holds `mdef`, `means`, `feat.params`, ...).
    public var acousticModel: String
    /// Binary n-gram language model.
    public var languageModel: String
    /// Pronunciation dictionary.
    public var dictionary: String

    public init(acousticModel: String, languageModel: String, dictionary: String) {
        self.acousticModel = acousticModel
        self.languageModel = languageModel
        self.dictionary = dictionary
    }

    /// US English as installed by Debian's `pocketsphinx-en-us` package.
    public static let debianEnglish = PocketSphinxModel(
        acousticModel: "/usr/share/pocketsphinx/model/en-us/en-us",
        languageModel: "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin",
        dictionary: "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict")

    /// Throws `.missingModel` naming the first missing path and the package that provides it.
    public func validate() throws(LocalSpeechError) {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: acousticModel, isDirectory: &isDirectory), isDirectory.boolValue,
              files.fileExists(atPath: acousticModel + "/mdef") else {
            throw Self.missing("acoustic model directory", acousticModel)
        }
        guard files.fileExists(atPath: languageModel) else { throw Self.missing("language model", languageModel) }
        guard files.fileExists(atPath: dictionary) else { throw Self.missing("dictionary", dictionary) }
    }

    private static func missing(_ what: String, _ path: String) -> LocalSpeechError {
        LocalSpeechError(.missingModel, "PocketSphinx \(what) not found at \(path); install the Debian package "
                         + "pocketsphinx-en-us (apt-get install pocketsphinx-en-us) or pass another PocketSphinxModel")
    }
}
