import ArgumentParser

/// Range checks for numbers that arrive as flags, called from each command's `validate()`.
///
/// A number from outside is checked where it enters, so nothing later converts `nan`, `1e300` or
/// `70000` into a trap or a silently different value (a port of 70000 used to listen on 4464).
enum OptionRange {
    static func check<T: Comparable & CustomStringConvertible>(
        _ value: T, in range: ClosedRange<T>, flag: String, meaning: String = ""
    ) throws {
        guard range.contains(value) else {
            let note = meaning.isEmpty ? "" : " (\(meaning))"
            throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound)\(note); got \(value)")
        }
    }

    static func check(_ value: Double, in range: ClosedRange<Double>, flag: String) throws {
        guard value.isFinite else { throw ValidationError("\(flag) must be a finite number of seconds; got \(value)") }
        try check(value, in: range, flag: flag, meaning: "")
    }
}
