import Foundation
import Logging
import Transport

/// Every provider's model catalogue, fetched at most once a day (the time to live), kept on disk so
/// start-up works offline, and never in the way: a fetch that fails falls back to the cached copy
/// (however old) and otherwise reports one line and returns nothing, so no caller ever waits on it
/// longer than one request's `fetchTimeout`.
public actor ModelCatalogueStore {
    /// Where a catalogue came from.
    public enum Origin: String, Sendable, Equatable {
        case network
        /// The disk copy, younger than the time to live.
        case cache
        /// The disk copy, older than the time to live, because the fetch failed.
        case staleCache = "stale cache"
        /// Nothing: see `error`.
        case none
    }

    public struct Lookup: Sendable {
        public var catalogue: ModelCatalogue?
        public var origin: Origin
        /// Why the network copy is missing (also set when a stale cache stood in).
        public var error: CatalogueError?
    }

    /// The default cache directory, relative to the working directory like `.steadfast/cache`.
    public static let defaultDirectory = URL(fileURLWithPath: ".steadfast/catalogue")

    private let fetcher: CatalogueFetcher
    private let cache: CatalogueCache?
    private let timeToLive: TimeInterval
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    private var memory: [String: ModelCatalogue] = [:]
    private var failures: [String: CatalogueError] = [:]

    /// - Parameters:
    ///   - cacheDirectory: nil keeps catalogues in memory only.
    ///   - fetchTimeout: per request; the whole lookup is bounded by it times the pages.
    public init(transport: any HTTPTransport, cacheDirectory: URL? = ModelCatalogueStore.defaultDirectory,
                timeToLive: Duration = .seconds(86_400), fetchTimeout: Duration = .seconds(5),
                limits: CatalogueLimits = CatalogueLimits(), logger: Logger = Logger(label: "steadfast.catalogue"),
                wallClock: @escaping @Sendable () -> Date = { Date() }) {
        fetcher = CatalogueFetcher(transport: transport, limits: limits, timeout: fetchTimeout)
        cache = cacheDirectory.map { CatalogueCache(directory: $0) }
        self.timeToLive = timeToLive.seconds
        self.wallClock = wallClock
        self.logger = logger
    }

    /// The catalogue of `source`: memory, then a fresh disk copy, then the network, then a stale
    /// disk copy. A failure is logged once per source and remembered until `refresh`.
    public func catalogue(_ source: CatalogueSource) async -> Lookup {
        let now = wallClock()
        let key = source.cacheKey
        if let catalogue = memory[key], now.timeIntervalSince(catalogue.fetchedAt) < timeToLive {
            return Lookup(catalogue: catalogue, origin: .cache, error: nil)
        }
        let onDisk = cache?.read(source)
        if let onDisk, now.timeIntervalSince(onDisk.fetchedAt) < timeToLive, onDisk.fetchedAt <= now {
            memory[key] = onDisk
            return Lookup(catalogue: onDisk, origin: .cache, error: nil)
        }
        if let failure = failures[key] {
            return Lookup(catalogue: onDisk, origin: onDisk == nil ? .none : .staleCache, error: failure)
        }
        do {
            let fetched = try await fetcher.fetch(source, now: now)
            memory[key] = fetched
            failures[key] = nil
            if let cache, !cache.write(fetched, for: source) {
                logger.notice("Cannot write the \(source.provider) model catalogue to \(cache.directory.path)")
            }
            return Lookup(catalogue: fetched, origin: .network, error: nil)
        } catch {
            failures[key] = error
            let fallback = onDisk.map { " (using the copy of \($0.fetchedAt.ISO8601Format()))" } ?? ""
            logger.warning("\(error)\(fallback)", metadata: ["provider.name": "\(source.provider)"])
            return Lookup(catalogue: onDisk, origin: onDisk == nil ? .none : .staleCache, error: error)
        }
    }

    /// Forgets what is in memory and any remembered failure (the next lookup fetches again).
    public func refresh() {
        memory = [:]
        failures = [:]
    }
}
