import COpenSSL

/// One-shot message digests (certificate fingerprints, token `sha256` claims).
public enum SHA256 {
    /// SHA-256 of `data` (32 bytes).
    public static func hash(_ data: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        let bytes = Array(data)
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                // SHA256() cannot fail for in-memory input.
                _ = COpenSSL.SHA256(input.baseAddress, input.count, out.baseAddress)
            }
        }
        return output
    }
}
