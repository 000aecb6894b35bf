import SansIO
/// Decides when to send compound RTCP reports for one local audio stream, and builds them (sans-IO).
///
/// Holds the send statistics of our SSRC and the receive statistics of every remote SSRC. Drive it
/// like the other machines: feed `handle…(now:)` calls, then drain `pollOutput()` until it returns
/// `.timeout(at)` and call `handleTimeout(now:)` once that instant passes. Reports go out about
/// every `interval`, randomized to 0.5–1.5× (RFC 3550 §6.3.1) so peers do not synchronise; the first
/// one comes after half of that (§6.2). A report is an SR if we sent RTP since the previous one,
/// otherwise an RR, always followed by SDES CNAME (§6.1). `close` queues a final report plus BYE.
public struct RTCPScheduler: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var localSSRC: UInt32
        public var cname: String
        public var clockRate: Int
        /// libwebrtc uses about 1 s for audio; RFC 3550's 5 s minimum is relaxed for WebRTC (RFC 8834 §4).
        public var interval: Duration

        public init(localSSRC: UInt32, cname: String, clockRate: Int = 48_000, interval: Duration = .seconds(1)) {
            self.localSSRC = localSSRC
            self.cname = cname
            self.clockRate = clockRate
            self.interval = interval
        }
    }

    public enum Output: Sendable, Equatable {
        /// A compound RTCP datagram to protect with SRTCP and send.
        case transmit([UInt8])
        /// Call `handleTimeout(now:)` at this instant.
        case timeout(ContinuousClock.Instant)
        /// BYE has been handed out; nothing more will come.
        case closed
    }

    public let configuration: Configuration
    public private(set) var sendStatistics: RTPSendStatistics
    public private(set) var receiveStatistics: [UInt32: RTPReceiveStatistics] = [:]
    public private(set) var nextReportTime: ContinuousClock.Instant
    private let ntpReference: NTPTimestamp
    private let ntpReferenceInstant: ContinuousClock.Instant
    private var packetCountAtLastReport: UInt32 = 0
    private var pending: [[UInt8]] = []
    private var isClosed = false
    private var random: SplitMix64

    /// - Parameters:
    ///   - ntpReference: the wall clock as NTP at `now`; SR times are derived from it by elapsed time.
    ///   - seed: seeds the interval randomization (fixed in tests).
    public init(
        configuration: Configuration, ntpReference: NTPTimestamp, now: ContinuousClock.Instant,
        seed: UInt64 = .random(in: 0...UInt64.max)
    ) {
        self.configuration = configuration
        self.sendStatistics = RTPSendStatistics(ssrc: configuration.localSSRC, clockRate: configuration.clockRate)
        self.ntpReference = ntpReference
        self.ntpReferenceInstant = now
        self.random = SplitMix64(seed: seed)
        self.nextReportTime = now
        self.nextReportTime = now + randomizedInterval() / 2
    }

    /// Records an RTP packet we sent.
    public mutating func handleSentRTP(timestamp: UInt32, payloadLength: Int, now: ContinuousClock.Instant) {
        sendStatistics.record(timestamp: timestamp, payloadLength: payloadLength, now: now)
    }

    /// Records an RTP packet we received (after SRTP unprotect).
    public mutating func handleReceivedRTP(
        ssrc: UInt32, sequenceNumber: UInt16, timestamp: UInt32, payloadLength: Int, now: ContinuousClock.Instant
    ) {
        if receiveStatistics[ssrc] == nil {
            receiveStatistics[ssrc] = RTPReceiveStatistics(ssrc: ssrc, clockRate: configuration.clockRate)
        }
        // Mutating through `values[index]` rather than `[ssrc]?`: the keyed optional-chained modify
        // heap-allocates a coroutine frame on every call, and this runs once per received packet.
        guard let index = receiveStatistics.index(forKey: ssrc) else { return }
        receiveStatistics.values[index].record(
            sequenceNumber: sequenceNumber, timestamp: timestamp, payloadLength: payloadLength, arrival: now)
    }

    /// Takes in received RTCP: SRs feed LSR/DLSR, BYEs drop the sources' statistics.
    public mutating func handleReceivedRTCP(_ packets: [RTCPPacket], now: ContinuousClock.Instant) {
        for packet in packets {
            switch packet {
            case .senderReport(let report):
                receiveStatistics[report.ssrc]?.recordSenderReport(ntpTimestamp: report.ntpTimestamp, arrival: now)
            case .goodbye(let goodbye):
                for ssrc in goodbye.ssrcs { receiveStatistics[ssrc] = nil }
            default:
                break
            }
        }
    }

    /// Emits a report when its time has come and schedules the next one.
    public mutating func handleTimeout(now: ContinuousClock.Instant) {
        guard !isClosed, now >= nextReportTime else { return }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        appendReport(to: &buffer, now: now)
        RTCPSourceDescription(chunks: [.init(ssrc: configuration.localSSRC, cname: configuration.cname)])
            .serialize(into: &buffer)
        pending.append(buffer)
        nextReportTime = now + randomizedInterval()
    }

    /// Queues a last report and a BYE for our SSRC (RFC 3550 §6.6: BYE rides in a compound packet).
    public mutating func close(reason: String? = nil, now: ContinuousClock.Instant) {
        guard !isClosed else { return }
        isClosed = true
        var buffer: [UInt8] = []
        appendReport(to: &buffer, now: now)
        RTCPGoodbye(ssrcs: [configuration.localSSRC], reason: reason).serialize(into: &buffer)
        pending.append(buffer)
    }

    public mutating func pollOutput() -> Output {
        if !pending.isEmpty { return .transmit(pending.removeFirst()) }
        return isClosed ? .closed : .timeout(nextReportTime)
    }

    private mutating func appendReport(to buffer: inout [UInt8], now: ContinuousClock.Instant) {
        var blocks: [RTCPReportBlock] = []
        for ssrc in receiveStatistics.keys.sorted() {
            if let block = receiveStatistics[ssrc]?.makeReportBlock(now: now) { blocks.append(block) }
        }
        if sendStatistics.packetCount != packetCountAtLastReport {
            packetCountAtLastReport = sendStatistics.packetCount
            RTCPSenderReport(
                ssrc: configuration.localSSRC, ntpTimestamp: ntpReference.adding(now - ntpReferenceInstant),
                rtpTimestamp: sendStatistics.rtpTimestamp(at: now), packetCount: sendStatistics.packetCount,
                octetCount: sendStatistics.octetCount, reportBlocks: blocks
            ).serialize(into: &buffer)
        } else {
            RTCPReceiverReport(ssrc: configuration.localSSRC, reportBlocks: blocks).serialize(into: &buffer)
        }
    }

    /// interval × a uniform factor in [0.5, 1.5).
    private mutating func randomizedInterval() -> Duration {
        let factor = 0.5 + random.nextUnitInterval()
        return configuration.interval * factor
    }
}
