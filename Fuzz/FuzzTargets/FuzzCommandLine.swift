import Foundation

/// The normal (non-libFuzzer) build of `steadfast-fuzz`: replay inputs, list targets, write seeds.
public enum FuzzCommandLine {
    public struct UsageError: Error, CustomStringConvertible {
        public let description: String
    }

    static let usage = """
        usage: steadfast-fuzz <target> <file-or-directory>...   replay inputs through a target
               steadfast-fuzz list                              the target names
               steadfast-fuzz seed <directory>                  write generated seeds to <directory>/<target>/
        """

    public static func run(_ arguments: [String]) throws {
        guard let command = arguments.first else { throw UsageError(description: usage) }
        switch command {
        case "list":
            for target in FuzzTarget.allCases { print(target.rawValue) }
        case "seed":
            guard arguments.count == 2 else { throw UsageError(description: usage) }
            try writeSeeds(to: URL(fileURLWithPath: arguments[1]))
        default:
            guard let target = FuzzTarget(rawValue: command), arguments.count >= 2 else {
                throw UsageError(description: usage + "\ntargets: " + FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))
            }
            target.prepare()
            let files = try FuzzCorpus.files(under: arguments.dropFirst().map { URL(fileURLWithPath: $0) })
            for file in files {
                let bytes = try [UInt8](Data(contentsOf: file))
                let start = ContinuousClock.now
                target.run(bytes)
                print("\(target.rawValue) \(file.path): ok (\(bytes.count) bytes, \(ContinuousClock.now - start))")
            }
        }
    }

    private static func writeSeeds(to directory: URL) throws {
        for (target, seeds) in FuzzSeeds.all() {
            let folder = directory.appendingPathComponent(target.rawValue)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for seed in seeds {
                try Data(seed.bytes).write(to: folder.appendingPathComponent("seed-\(seed.name)"))
            }
            print("\(target.rawValue): \(seeds.count) seeds")
        }
    }
}

/// The committed inputs under `Fuzz/`: `corpus/<target>/` (what the fuzzer found interesting) and
/// `regressions/<target>/` (minimised reproducers of fixed crashes).
public enum FuzzCorpus {
    /// Every regular file under `urls` (a file stands for itself), sorted, hidden files skipped.
    public static func files(under urls: [URL]) throws -> [URL] {
        var files: [URL] = []
        for url in urls {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw FuzzCommandLine.UsageError(description: "no such file: \(url.path)")
            }
            guard isDirectory.boolValue else {
                files.append(url)
                continue
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
            for name in names.sorted() where !name.hasPrefix(".") && name != "README.md" {
                files += try Self.files(under: [url.appendingPathComponent(name)])
            }
        }
        return files
    }
}
