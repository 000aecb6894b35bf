import Audio
import Foundation
import TestSupport

/// Locates the programs of the interop matrix and prepares their input files.
enum InteropPeers {
    struct Missing: Error, CustomStringConvertible { let description: String }

    /// `$STEADFAST_BIN`, else the `steadfast` built next to this test bundle.
    static func steadfast() throws -> String {
        try SteadfastBinary.path()
    }

    /// `$STEADFAST_PION_PEER`, else `.build/interop/pionpeer` (built by `make peers`).
    static func pion() throws -> String {
        let path = ProcessInfo.processInfo.environment["STEADFAST_PION_PEER"]
            ?? InteropPython.packageRoot.appendingPathComponent(".build/interop/pionpeer").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Missing(description: "pion peer not found at \(path); run `make peers`")
        }
        return path
    }

    static var aiortcScript: String {
        InteropPython.packageRoot.appendingPathComponent("Tests/Interop/peers/aiortc_peer.py").path
    }

    /// A scratch directory for one run's files and logs.
    static func workspace(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-interop-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Encodes audio as the pion peer's input: "u16 length | Opus packet" records, one per 20 ms.
    static func writeOpusPackets(_ audio: AudioFrame, to url: URL) throws {
        let encoder = try OpusEncoder()
        var data = Data()
        for var frame in audio.chunked(milliseconds: 20) {
            if frame.samples.count < 960 { frame.samples += [Int16](repeating: 0, count: 960 - frame.samples.count) }
            let packet = try encoder.encode(frame)
            data.append(UInt8(packet.count >> 8))
            data.append(UInt8(packet.count & 0xFF))
            data.append(contentsOf: packet)
        }
        try data.write(to: url)
    }

    /// Decodes the pion peer's recording ("u16 length | u16 seq | u32 timestamp | payload") with our
    /// Opus decoder, concealing sequence gaps, into 48 kHz mono audio.
    static func decodeRTPDump(_ url: URL) throws -> (audio: AudioFrame, packets: Int, gaps: Int) {
        let bytes = [UInt8](try Data(contentsOf: url))
        let decoder = try OpusDecoder()
        var samples: [Int16] = []
        var offset = 0
        var packets = 0
        var gaps = 0
        var lastSequence: UInt16?
        while offset + 8 <= bytes.count {
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            let sequence = UInt16(bytes[offset + 2]) << 8 | UInt16(bytes[offset + 3])
            offset += 8
            guard offset + length <= bytes.count else { break }
            if let lastSequence, sequence != lastSequence &+ 1 {
                gaps += 1
                let missing = min(Int(sequence &- lastSequence) - 1, 50)
                for _ in 0..<max(0, missing) { samples += try decoder.concealLoss().samples }
            }
            samples += try decoder.decode(Array(bytes[offset..<offset + length])).samples
            lastSequence = sequence
            offset += length
            packets += 1
        }
        return (AudioFrame(samples: samples), packets, gaps)
    }
}
