extension StringProtocol {
    /// The text with every character a terminal could act on shown as an escape: C0 and C1 controls
    /// and DEL as `\x1b`, and invisible format characters (bidi overrides, BOM, zero-width) as
    /// `\u{202e}`; a backslash stays a backslash. Use it wherever a message quotes file or user content.
    public var escapingUnprintable: String {
        var output = ""
        output.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F:
                output += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF, 0xFFF9...0xFFFB:
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
