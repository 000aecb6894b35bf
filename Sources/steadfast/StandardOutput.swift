import Foundation

/// Writes to stdout immediately, so streamed text and progress lines appear as they happen.
///
/// A failed write (a full disk, `/dev/full`, a closed descriptor) ends the command with one line on
/// stderr and exit status 1: output that did not arrive is never reported as success.
func printFlushed(_ text: String, terminator: String = "\n") {
    do { try FileHandle.standardOutput.write(contentsOf: Data((text + terminator).utf8)) } catch {
        let reason = (error as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
            ?? (error as NSError).localizedDescription
        FileHandle.standardError.write(Data("Error: cannot write to standard output: \(reason)\n".utf8))
        exit(1)
    }
}

/// Text from a model, a user or a file, made safe to show on a terminal.
///
/// Control characters (ESC sequences that move the cursor, recolour or retitle the terminal, BEL,
/// C1 controls, DEL) are shown as `\u{1B}`-style escapes instead of being interpreted; newlines and
/// tabs are kept.
enum TerminalText {
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        case 0x00...0x1F, 0x7F...0x9F: true
        // Bidirectional overrides can make a line read differently from what it holds.
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
