import Foundation
import FuzzTargets
import TestSupport
import Testing

/// Every committed fuzz input runs through its target in the normal test build: the corpora under
/// `Fuzz/corpus/<target>/` and the minimised crash reproducers under `Fuzz/regressions/<target>/`.
/// A fixed crash that comes back traps this test process, so `make test` fails on it.
@Suite("Fuzz corpora and crash reproducers")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(_ kind: String, _ target: FuzzTarget) throws -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FuzzCorpus.files(under: [directory])
    }

    @Test("every target has a committed corpus", arguments: FuzzTarget.allCases)
    func corpusExists(target: FuzzTarget) throws {
        #expect(try !Self.inputs("corpus", target).isEmpty, "Fuzz/corpus/\(target.rawValue) is empty")
    }

    /// Off the cooperative pool: the async targets (provider streams, tools) block their calling
    /// thread until a task finishes, which on a pool thread could starve that very task.
    @Test("corpus and reproducers run without a trap", arguments: FuzzTarget.allCases)
    func replay(target: FuzzTarget) async throws {
        let files = try Self.inputs("regressions", target) + Self.inputs("corpus", target)
        try await offThePool {
            target.prepare()
            for file in files { target.run(try [UInt8](Data(contentsOf: file))) }
        }
    }
}
