/// RFC 6464 client-to-mixer audio level: how loud the packet is, read by the SFU for active-speaker
/// detection without decoding audio.
public struct RTPAudioLevel: Sendable, Equatable {
    /// The V flag: the sender's voice activity detector thinks this packet is speech.
    public var voiceActivity: Bool
    /// Level in -dBov, 0 (loudest) … 127 (silence).
    public var level: UInt8

    public init(voiceActivity: Bool, level: UInt8) {
        self.voiceActivity = voiceActivity
        self.level = min(level, 127)
    }

    /// The one data byte: V in the top bit, level below (RFC 6464 §3).
    public var encoded: UInt8 { (voiceActivity ? 0x80 : 0) | (level & 0x7F) }

    public init(encoded byte: UInt8) {
        self.init(voiceActivity: byte & 0x80 != 0, level: byte & 0x7F)
    }
}

/// libwebrtc's abs-capture-time extension: when the audio was captured, on the capturer's NTP clock.
public struct RTPAbsoluteCaptureTime: Sendable, Equatable {
    /// UQ32.32 NTP time of capture.
    public var captureTimestamp: UInt64
    /// Q32.32 estimate of (capturer NTP clock − sender NTP clock), when the sender knows it.
    public var estimatedCaptureClockOffset: Int64?

    public init(captureTimestamp: UInt64, estimatedCaptureClockOffset: Int64? = nil) {
        self.captureTimestamp = captureTimestamp
        self.estimatedCaptureClockOffset = estimatedCaptureClockOffset
    }

    /// 8 or 16 bytes, big-endian.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        RTPWire.append32(&bytes, UInt32(truncatingIfNeeded: captureTimestamp >> 32))
        RTPWire.append32(&bytes, UInt32(truncatingIfNeeded: captureTimestamp))
        if let offset = estimatedCaptureClockOffset {
            let raw = UInt64(bitPattern: offset)
            RTPWire.append32(&bytes, UInt32(truncatingIfNeeded: raw >> 32))
            RTPWire.append32(&bytes, UInt32(truncatingIfNeeded: raw))
        }
        return bytes
    }

    /// Decodes 8 or 16 bytes; other lengths are not this extension.
    public init?(encoded data: ArraySlice<UInt8>) {
        guard data.count == 8 || data.count == 16 else { return nil }
        let start = data.startIndex
        captureTimestamp = UInt64(RTPWire.read32(data, start)) << 32 | UInt64(RTPWire.read32(data, start + 4))
        if data.count == 16 {
            let raw = UInt64(RTPWire.read32(data, start + 8)) << 32 | UInt64(RTPWire.read32(data, start + 12))
            estimatedCaptureClockOffset = Int64(bitPattern: raw)
        } else {
            estimatedCaptureClockOffset = nil
        }
    }
}

extension RTPHeaderExtensions {
    /// The BUNDLE media ID (RFC 8843 §15), when the map has an ID for it and the packet carries it.
    public func mid(using map: RTPHeaderExtensionMap) -> String? {
        guard let id = map.midID, let data = element(id: id) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether the packet's MID equals `mid`, compared byte-wise so the receive path does not build a String.
    public func hasMID(_ mid: [UInt8], using map: RTPHeaderExtensionMap) -> Bool {
        guard let id = map.midID, let data = element(id: id) else { return false }
        return data.elementsEqual(mid)
    }

    /// The RFC 6464 audio level, when negotiated and present (exactly one byte; longer elements use the first).
    public func audioLevel(using map: RTPHeaderExtensionMap) -> RTPAudioLevel? {
        guard let id = map.audioLevelID, let data = element(id: id), let byte = data.first else { return nil }
        return RTPAudioLevel(encoded: byte)
    }

    public func absoluteCaptureTime(using map: RTPHeaderExtensionMap) -> RTPAbsoluteCaptureTime? {
        guard let id = map.absoluteCaptureTimeID, let data = element(id: id) else { return nil }
        return RTPAbsoluteCaptureTime(encoded: data)
    }
}

extension RTPHeaderExtensionElement {
    /// A MID element (1–16 bytes of UTF-8 in the one-byte form), or nil when the map has no ID for it.
    public static func mid(_ mid: String, using map: RTPHeaderExtensionMap) -> Self? {
        guard let id = map.midID else { return nil }
        return Self(id: id, data: Array(mid.utf8))
    }

    public static func audioLevel(_ level: RTPAudioLevel, using map: RTPHeaderExtensionMap) -> Self? {
        guard let id = map.audioLevelID else { return nil }
        return Self(id: id, data: [level.encoded])
    }

    public static func absoluteCaptureTime(_ time: RTPAbsoluteCaptureTime, using map: RTPHeaderExtensionMap) -> Self? {
        guard let id = map.absoluteCaptureTimeID else { return nil }
        return Self(id: id, data: time.encoded)
    }
}
