/// Wraps Opus frames in RTP packets for one outgoing audio stream (RFC 7587 §4).
///
/// One Opus packet per RTP payload, no payload header; the timestamp runs at 48 kHz whatever the
/// encoder's internal rate, so a 20 ms frame advances it by 960. The marker bit flags the start of
/// a talkspurt: the first packet, and the first one after a silence gap or DTX (RFC 7587 §4.1).
/// The MID and audio-level extensions go in the one-byte form, with IDs from the negotiated map.
public struct OpusRTPPacketizer: Sendable {
    /// Opus always uses a 48 kHz RTP clock (RFC 7587 §4.1).
    public static let clockRate = 48_000
    /// Opus DTX frames are 1–2 bytes; a run of them is silence, and the next real frame starts a talkspurt.
    public static let maximumDTXFrameSize = 2

    public let ssrc: UInt32
    public let payloadType: UInt8
    /// Sequence number the next packet gets (wraps at 65536).
    public private(set) var nextSequenceNumber: UInt16
    /// RTP timestamp the next frame gets (wraps at 2^32).
    public private(set) var nextTimestamp: UInt32
    private let midID: UInt8?
    private let midBytes: [UInt8]
    private let audioLevelID: UInt8?
    private var talkspurtPending = true

    /// - Parameters:
    ///   - initialSequenceNumber, initialTimestamp: random by default (RFC 3550 §5.1); fixed in tests.
    ///   - mid: written when `extensionMap` has an ID for the MID extension (1–16 UTF-8 bytes).
    ///   - extensionMap: the negotiated extmap; extensions without an ID (or with one above 14) are not written.
    public init(
        ssrc: UInt32, payloadType: UInt8, mid: String? = nil, extensionMap: RTPHeaderExtensionMap = .init(),
        initialSequenceNumber: UInt16 = .random(in: 0...UInt16.max),
        initialTimestamp: UInt32 = .random(in: 0...UInt32.max)
    ) {
        self.ssrc = ssrc
        self.payloadType = payloadType & 0x7F
        self.nextSequenceNumber = initialSequenceNumber
        self.nextTimestamp = initialTimestamp
        let midBytes = Array((mid ?? "").utf8.prefix(16))
        let midUsable = !midBytes.isEmpty && extensionMap.midID.map { (1...14).contains($0) } == true
        self.midID = midUsable ? extensionMap.midID : nil
        self.midBytes = midUsable ? midBytes : []
        self.audioLevelID = extensionMap.audioLevelID.flatMap { (1...14).contains($0) ? $0 : nil }
    }

    /// Notes frames that were not sent (silence suppressed by the caller): the timestamp keeps running
    /// and the next packet gets the marker bit.
    public mutating func skip(samples: Int = 960) {
        nextTimestamp &+= UInt32(truncatingIfNeeded: samples)
        talkspurtPending = true
    }

    /// Appends one RTP packet carrying `opusFrame` to `buffer` (no allocation with reserved capacity).
    ///
    /// - Parameters:
    ///   - samples: the frame's duration at 48 kHz (960 for 20 ms).
    ///   - audioLevel: written when the audio-level extension was negotiated.
    /// - Returns: the header fields used, for send statistics.
    @discardableResult
    public mutating func packetize(
        _ opusFrame: ArraySlice<UInt8>, samples: Int = 960, audioLevel: RTPAudioLevel? = nil,
        into buffer: inout [UInt8]
    ) -> (sequenceNumber: UInt16, timestamp: UInt32, marker: Bool) {
        let isDTX = opusFrame.count <= Self.maximumDTXFrameSize
        let marker = talkspurtPending && !isDTX
        let written = (nextSequenceNumber, nextTimestamp, marker)
        let writesLevel = audioLevel != nil && audioLevelID != nil
        let hasExtensions = midID != nil || writesLevel
        buffer.append(hasExtensions ? 0x90 : 0x80)
        buffer.append((marker ? 0x80 : 0) | payloadType)
        RTPWire.append16(&buffer, nextSequenceNumber)
        RTPWire.append32(&buffer, nextTimestamp)
        RTPWire.append32(&buffer, ssrc)
        if hasExtensions {
            RTPWire.append16(&buffer, 0xBEDE)
            let lengthIndex = buffer.count
            RTPWire.append16(&buffer, 0)
            let bodyStart = buffer.count
            if let midID {  // RFC 8285 §4.2: ID in the high nibble, length − 1 in the low nibble
                buffer.append(midID << 4 | UInt8(midBytes.count - 1))
                buffer.append(contentsOf: midBytes)
            }
            if writesLevel, let audioLevelID, let audioLevel {
                buffer.append(audioLevelID << 4)
                buffer.append(audioLevel.encoded)
            }
            RTPWire.padToWord(&buffer, from: bodyStart)
            RTPWire.write16(&buffer, at: lengthIndex, UInt16((buffer.count - bodyStart) / 4))
        }
        buffer.append(contentsOf: opusFrame)
        nextSequenceNumber &+= 1
        nextTimestamp &+= UInt32(truncatingIfNeeded: samples)
        if isDTX {
            talkspurtPending = true
        } else if marker {
            talkspurtPending = false
        }
        return written
    }

    /// Convenience: one packet as a new array.
    public mutating func packetize(
        _ opusFrame: [UInt8], samples: Int = 960, audioLevel: RTPAudioLevel? = nil
    ) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(12 + 4 + 20 + 4 + opusFrame.count)
        packetize(opusFrame[...], samples: samples, audioLevel: audioLevel, into: &buffer)
        return buffer
    }
}
