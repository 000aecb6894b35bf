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

/// libFuzzer's per-input callback.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

/// libFuzzer's driver (`compiler-rt/lib/fuzzer/FuzzerInterface.h`), in the `-sanitize=fuzzer` runtime.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The process entry point. SwiftPM links an executable target with `main` aliased to
/// `<module>_main` (so tests can link the module), which also keeps libFuzzer's own `main` out of
/// the link; this hands the command line to libFuzzer's driver instead.
@_cdecl("steadfast_fuzz_main")
public func steadfastFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzTestOneInput)
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
