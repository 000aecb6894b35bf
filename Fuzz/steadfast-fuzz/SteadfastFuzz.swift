import FuzzTargets

#if FUZZING
import Foundation

/// The target for this process, from `STEADFAST_FUZZ_TARGET` (libFuzzer owns the command line).
private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["STEADFAST_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
        FileHandle.standardError.write(Data("set STEADFAST_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    target.prepare()
    return target
}()

/// libFuzzer's entry point; the binary is built with `-sanitize=fuzzer`, whose runtime has `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}
#else
import Foundation

/// Replays inputs through a target outside libFuzzer (crash reproducers, corpora), and writes the
/// generated seed corpora: `steadfast-fuzz <target> <file-or-dir>...`, `steadfast-fuzz seed <dir>`.
@main
struct SteadfastFuzz {
    static func main() {
        do {
            try FuzzCommandLine.run(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(1)
        }
    }
}
#endif
