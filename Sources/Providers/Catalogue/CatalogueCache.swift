import Foundation

/// Catalogues on disk, one JSON file per endpoint, so a start without network still knows which
/// models exist. Reads are bounded; an unreadable or foreign file reads as absent.
struct CatalogueCache: Sendable {
    var directory: URL
    /// Larger than any real catalogue (OpenRouter's ≈ 400 models are ≈ 150 KB in our form).
    var maximumBytes = 16 << 20

    func read(_ source: CatalogueSource) -> ModelCatalogue? {
        let file = path(source)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let size = attributes[.size] as? NSNumber, size.intValue <= maximumBytes,
              let data = try? Data(contentsOf: file) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let catalogue = try? decoder.decode(ModelCatalogue.self, from: data),
              catalogue.provider == source.provider else { return nil }
        return catalogue
    }

    /// Best effort: a read-only disk costs the offline start, nothing else.
    func write(_ catalogue: ModelCatalogue, for source: CatalogueSource) -> Bool {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(catalogue) else { return false }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: path(source), options: .atomic)
            return true
        } catch {
            return false
        }
    }

    func path(_ source: CatalogueSource) -> URL { directory.appendingPathComponent(source.cacheKey + ".json") }
}
