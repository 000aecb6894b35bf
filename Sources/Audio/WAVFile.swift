#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads and writes RIFF/WAVE files, the format TTS engines, test fixtures and recordings use.
///
/// Reading is liberal because WAV writers disagree: unknown chunks (`LIST`, `fact`, `bext`, …) are
/// skipped, `WAVE_FORMAT_EXTENSIBLE` is accepted when its sub-format is PCM or IEEE float, 8/16/24/32-bit
/// integer and 32/64-bit float samples are converted to Int16, and a `data` size of 0xFFFFFFFF
/// (left by streaming writers) means "to the end of the file". Anything actually wrong — not RIFF,
/// no `fmt `, a chunk or `data` cut short, an unsupported encoding — is an `AudioError.file`, never a trap.
/// Writing always produces plain 16-bit PCM, which every reader accepts.
public enum WAVFile {
    /// Reads a whole file ("no such file: q.wav" and the like when it cannot).
    public static func read(url: URL) throws(AudioError) -> AudioFrame {
        try read(path: url.path)
    }

    public static func read(path: String) throws(AudioError) -> AudioFrame {
        let bytes = try FileBytes.read(path: path)
        do { return try decode(bytes) } catch { throw .file("\(path): \(error.message)") }
    }

    /// Writes `frame` as 16-bit PCM through the path, as a shell's `>` does (see `FileBytes.write`).
    public static func write(_ frame: AudioFrame, to url: URL) throws(AudioError) {
        try write(frame, toPath: url.path)
    }

    public static func write(_ frame: AudioFrame, toPath path: String) throws(AudioError) {
        try FileBytes.write(encode(frame), toPath: path)
    }

    /// The bytes of a 16-bit PCM WAV file holding `frame`.
    public static func encode(_ frame: AudioFrame) -> [UInt8] {
        let dataSize = frame.samples.count * 2
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + dataSize)
        bytes.append(contentsOf: Array("RIFF".utf8))
        bytes.appendLittleEndian(UInt32(truncatingIfNeeded: 36 + dataSize))
        bytes.append(contentsOf: Array("WAVEfmt ".utf8))
        bytes.appendLittleEndian(UInt32(16))
        bytes.appendLittleEndian(UInt16(WAVFormat.Encoding.pcm.rawValue))
        bytes.appendLittleEndian(UInt16(frame.channels))
        bytes.appendLittleEndian(UInt32(frame.sampleRate))
        bytes.appendLittleEndian(UInt32(frame.sampleRate * frame.channels * 2))
        bytes.appendLittleEndian(UInt16(frame.channels * 2))
        bytes.appendLittleEndian(UInt16(16))
        bytes.append(contentsOf: Array("data".utf8))
        bytes.appendLittleEndian(UInt32(truncatingIfNeeded: dataSize))
        for sample in frame.samples { bytes.appendLittleEndian(UInt16(bitPattern: sample)) }
        return bytes
    }

    /// Parses the bytes of a WAV file.
    public static func decode(_ bytes: [UInt8]) throws(AudioError) -> AudioFrame {
        let reader = ByteReader(bytes)
        guard bytes.count >= 12 else { throw .file("WAV file is \(bytes.count) bytes, shorter than a RIFF header") }
        let riff = reader.fourCC(at: 0)
        guard riff == "RIFF" else {
            throw .file(riff == "RIFX" ? "big-endian WAV (RIFX) is not supported" : "not a RIFF file (starts with \(riff.debugDescription))")
        }
        guard reader.fourCC(at: 8) == "WAVE" else { throw .file("RIFF file is not WAVE but \(reader.fourCC(at: 8).debugDescription)") }

        var format: WAVFormat?
        var samples: Range<Int>?
        var offset = 12
        chunks: while offset < bytes.count {
            guard offset + 8 <= bytes.count else {
                // A stray byte or two after the last chunk is common; a missing chunk is not.
                if format != nil, samples != nil { break chunks }
                throw .file("WAV chunk header at byte \(offset) is cut short")
            }
            let id = reader.fourCC(at: offset)
            let declared = Int(reader.uint32(at: offset + 4))
            let body = offset + 8
            switch id {
            case "fmt ":
                guard body + declared <= bytes.count else { throw .file("WAV fmt chunk is cut short") }
                format = try WAVFormat(reader, at: body, size: declared)
            case "data":
                var size = declared
                if body + size > bytes.count {
                    // 0xFFFFFFFF (and sizes past the end) are what a writer that never seeked back leaves.
                    guard declared == 0xFFFF_FFFF else {
                        throw .file("WAV data chunk declares \(declared) bytes but only \(bytes.count - body) remain")
                    }
                    size = bytes.count - body
                }
                if samples == nil { samples = body..<(body + size) }
                offset = body + size + (size & 1)
                continue
            default:
                guard body + declared <= bytes.count else {
                    // A damaged trailing chunk (metadata) after the audio does not spoil the audio.
                    if format != nil, samples != nil { break chunks }
                    throw .file("WAV \(id.debugDescription) chunk is cut short")
                }
            }
            offset = body + declared + (declared & 1)
        }
        guard let format else { throw .file("WAV file has no fmt chunk") }
        guard let samples else { throw .file("WAV file has no data chunk") }
        return AudioFrame(samples: format.convert(reader, samples), sampleRate: format.sampleRate, channels: format.channels)
    }
}

/// The parsed `fmt ` chunk: how the sample bytes are to be read.
struct WAVFormat {
    enum Encoding: Int {
        case pcm = 1
        case float = 3
        case extensible = 0xFFFE
    }

    /// KSDATAFORMAT_SUBTYPE_* GUIDs end in these 14 bytes; the first two carry the plain format code.
    static let subformatSuffix: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]

    let encoding: Encoding   // .pcm or .float after unwrapping EXTENSIBLE
    let channels: Int
    let sampleRate: Int
    let bytesPerSample: Int
    let blockAlign: Int

    init(_ reader: ByteReader, at offset: Int, size: Int) throws(AudioError) {
        guard size >= 16 else { throw .file("WAV fmt chunk is \(size) bytes, needs 16") }
        var code = Int(reader.uint16(at: offset))
        channels = Int(reader.uint16(at: offset + 2))
        sampleRate = Int(reader.uint32(at: offset + 4))
        blockAlign = Int(reader.uint16(at: offset + 12))
        let bits = Int(reader.uint16(at: offset + 14))
        if code == Encoding.extensible.rawValue {
            guard size >= 40 else { throw .file("WAVE_FORMAT_EXTENSIBLE fmt chunk is \(size) bytes, needs 40") }
            let guid = Array(reader.bytes(offset + 24..<offset + 40))
            guard Array(guid[2...]) == Self.subformatSuffix else { throw .file("WAVE_FORMAT_EXTENSIBLE with an unknown sub-format GUID") }
            code = Int(guid[0]) | Int(guid[1]) << 8
        }
        guard let encoding = Encoding(rawValue: code), encoding != .extensible else {
            throw .file("WAV encoding \(code) is not supported (PCM and IEEE float only)")
        }
        self.encoding = encoding
        guard (1...8).contains(channels) else { throw .file("WAV with \(channels) channels is not supported") }
        guard (1_000...768_000).contains(sampleRate) else { throw .file("WAV sample rate \(sampleRate) Hz is implausible") }
        bytesPerSample = (bits + 7) / 8
        let supported = encoding == .pcm ? [1, 2, 3, 4] : [4, 8]
        guard supported.contains(bytesPerSample) else {
            throw .file("\(bits)-bit \(encoding == .pcm ? "PCM" : "float") WAV is not supported")
        }
        guard blockAlign == bytesPerSample * channels else {
            throw .file("WAV block align \(blockAlign) does not match \(channels) × \(bits)-bit samples")
        }
    }

    /// Every whole sample frame in `range` as Int16; a partial frame at the end is dropped.
    func convert(_ reader: ByteReader, _ range: Range<Int>) -> [Int16] {
        let count = range.count / blockAlign * channels
        var output = [Int16]()
        output.reserveCapacity(count)
        var offset = range.lowerBound
        for _ in 0..<count {
            output.append(sample(reader, at: offset))
            offset += bytesPerSample
        }
        return output
    }

    private func sample(_ reader: ByteReader, at offset: Int) -> Int16 {
        switch (encoding, bytesPerSample) {
        case (.pcm, 1): return Int16(Int(reader.byte(at: offset)) - 128) << 8   // 8-bit WAV is unsigned
        case (.pcm, 2): return Int16(bitPattern: reader.uint16(at: offset))
        case (.pcm, 3): return Int16(bitPattern: reader.uint16(at: offset + 1))  // keep the top 16 of 24 bits
        case (.pcm, _): return Int16(bitPattern: reader.uint16(at: offset + 2))
        case (_, 4): return AudioFrame.int16(Float(bitPattern: reader.uint32(at: offset)))
        default: return AudioFrame.int16(Float(Double(bitPattern: reader.uint64(at: offset))))
        }
    }
}

/// Little-endian reads from a byte array. Callers check bounds before reading.
struct ByteReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func byte(at offset: Int) -> UInt8 { bytes[offset] }
    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    func uint16(at offset: Int) -> UInt16 { UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8 }
    func uint32(at offset: Int) -> UInt32 { UInt32(uint16(at: offset)) | UInt32(uint16(at: offset + 2)) << 16 }
    func uint64(at offset: Int) -> UInt64 { UInt64(uint32(at: offset)) | UInt64(uint32(at: offset + 4)) << 32 }

    func fourCC(at offset: Int) -> String {
        String(decoding: bytes[offset..<offset + 4].map { (32...126).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }
}

extension [UInt8] {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        Swift.withUnsafeBytes(of: &little) { append(contentsOf: $0) }
    }
}
