import Foundation
import Synchronization

/// A bounded in-memory cache of complete answers with a TTL (default 24 h), optionally mirrored
/// to a directory so it survives restarts. Only requests a capability marks cacheable get here.
public final class ResponseCache<Event: Sendable & Codable>: Sendable {
    struct Entry: Codable {
        var events: [Event]
        var expires: Date
        var lastUsed: Date
    }

    public let timeToLive: Duration
    public let capacity: Int
    public let directory: URL?
    private let entries = Mutex<[String: Entry]>([:])

    public init(timeToLive: Duration = .seconds(86_400), capacity: Int = 500, directory: URL? = nil) {
        self.timeToLive = timeToLive
        self.capacity = capacity
        self.directory = directory
        if let directory { try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
    }

    public func lookup(_ key: String, now: Date) async -> [Event]? {
        let hit: [Event]? = entries.withLock { entries in
            guard var entry = entries[key] else { return nil }
            guard entry.expires > now else {
                entries[key] = nil
                return nil
            }
            entry.lastUsed = now
            entries[key] = entry
            return entry.events
        }
        if let hit { return hit }
        guard let file = fileURL(key), let data = try? Data(contentsOf: file),
              let entry = try? JSONDecoder().decode(Entry.self, from: data)
        else { return nil }
        guard entry.expires > now else {
            try? FileManager.default.removeItem(at: file)
            return nil
        }
        entries.withLock { $0[key] = entry }
        return entry.events
    }

    public func store(_ key: String, events: [Event], now: Date) async {
        let entry = Entry(events: events, expires: now.addingTimeInterval(timeToLive.seconds), lastUsed: now)
        let evicted: [String] = entries.withLock { entries in
            entries[key] = entry
            entries = entries.filter { $0.value.expires > now }
            var evicted: [String] = []
            while entries.count > capacity, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                entries[oldest.key] = nil
                evicted.append(oldest.key)
            }
            return evicted
        }
        if let file = fileURL(key), let data = try? JSONEncoder().encode(entry) {
            try? data.write(to: file, options: .atomic)
        }
        // `capacity` bounds the directory too: an entry evicted from memory must not live on (and be
        // served again) from disk.
        for key in evicted {
            if let file = fileURL(key) { try? FileManager.default.removeItem(at: file) }
        }
    }

    public var count: Int { entries.withLock { $0.count } }

    /// Drops expired entries from memory and disk.
    public func purge(now: Date) {
        entries.withLock { $0 = $0.filter { $0.value.expires > now } }
        guard let directory,
              let files = try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        else { return }
        for file in files where file.pathExtension == "json" {
            if let data = try? Data(contentsOf: file), let entry = try? JSONDecoder().decode(Entry.self, from: data),
               entry.expires > now { continue }
            try? FileManager.default.removeItem(at: file)
        }
    }

    private func fileURL(_ key: String) -> URL? {
        guard let directory else { return nil }
        let digest = key.utf8.reduce(into: UInt64(0xcbf2_9ce4_8422_2325)) { $0 = ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return directory.appendingPathComponent(String(format: "%016llx", digest) + ".json")
    }
}
