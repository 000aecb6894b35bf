import ArgumentParser
import Audio
import Foundation
import Logging
import Media
import RTC
import Synchronization

/// `steadfast rtc`: media-plane diagnostics.
struct RTCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rtc", abstract: "WebRTC media-plane diagnostics.", subcommands: [RTCPeerCommand.self])
}

/// `steadfast rtc peer`: one peer connection (audio and/or data channels), SDP exchanged as JSON
/// lines on stdin/stdout.
///
/// Any WebRTC implementation can be wired to it (the interop tests wire aiortc and pion); users run
/// it to debug connectivity. Logs go to stderr; the last stdout line is `{"type":"stats",...}`.
struct RTCPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Run one WebRTC peer (audio, data channels); signalling is JSON lines on stdin/stdout.",
        discussion: """
            Offer role prints {"type":"offer","sdp":...} and reads {"type":"answer","sdp":...}; answer role \
            reads the offer and prints the answer. Trickled candidates may arrive as {"type":"candidate",\
            "candidate":"candidate:..."}. Data channels: every message received prints \
            {"type":"data","label":L,"text":S} or {"type":"data","label":L,"binary":BASE64}; the same lines \
            on stdin send on the open channel labelled L, {"type":"close","label":L} closes it and \
            {"type":"open","label":L} opens one. At the end it prints {"type":"stats",...}.
            """)

    enum Role: String, ExpressibleByArgument { case offer, answer }

    @Option(help: "offer or answer.") var role: Role
    @Option(help: "WAV file to send (any rate; resampled to 48 kHz mono).") var send: String?
    @Option(help: "WAV file to record the received audio to (48 kHz mono).") var record: String?
    @Option(help: "Seconds to stay connected.") var duration: Double = 6
    @Flag(help: "Act as an ice-lite agent (as an SFU does); the peer then controls.") var iceLite = false
    @Flag(help: "Use 127.0.0.1 only for host candidates.") var loopback = false
    @Option(help: "SRTP profiles to offer, comma separated: aes128cm, gcm128, gcm256.") var srtp: String?
    @Option(name: .customLong("data"), help: ArgumentHelp(
        "Open a data channel (ordered, reliable) with this label before the offer; repeatable. With no --send or --record the offer is data only.",
        valueName: "label")) var dataLabels: [String] = []
    @Flag(help: "Send every data-channel message back on its channel unchanged.") var dataEcho = false
    @Option(help: ArgumentHelp("Once the first channel opens, send each line of this file on it as text.", valueName: "file"))
    var dataSend: String?
    @Option(help: ArgumentHelp("Drop this fraction (0-0.5) of DTLS records each way once connected, to test data channels under loss.",
                               valueName: "fraction")) var simulateLoss: Double = 0

    func validate() throws {
        try OptionRange.check(duration, in: 0...86_400, flag: "--duration")
        try OptionRange.check(simulateLoss, in: 0...0.5, flag: "--simulate-loss")
    }

    func run() async throws {
        var logger = Logger(label: "steadfast.rtc.peer")
        logger.logLevel = .info
        var configuration = PeerConnection.Configuration()
        configuration.ice.isLite = iceLite
        if let srtp {
            configuration.srtpProfiles = try srtp.split(separator: ",").map { name in
                switch name {
                case "aes128cm": return .aes128CmHmacSha1_80
                case "gcm128": return .aeadAes128Gcm
                case "gcm256": return .aeadAes256Gcm
                default: throw ValidationError("unknown SRTP profile \(name); use aes128cm, gcm128 or gcm256")
                }
            }
        }
        let linesToSend: [String]? = try dataSend.map { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("--data-send: cannot read \(path) as UTF-8 text")
            }
            var lines = text.components(separatedBy: "\n")
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        let outgoing: AudioFrame? = try send.map { path in
            let audio = try WAVFile.read(path: path)
            let mono = audio.channels == 1 ? audio : audio.mixedToMono()
            return try Resampler.convert(mono, to: 48_000)
        }

        let recording = Mutex<[Int16]>([])
        let marks = Mutex<[String: Double]>([:])
        let start = ContinuousClock.now
        let mark: @Sendable (String) -> Void = { name in
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            marks.withLock { if $0[name] == nil { $0[name] = (milliseconds * 10).rounded() / 10 } }
            FileHandle.standardError.write(Data("[steadfast \(String(format: "%8.1f", milliseconds))ms] \(name)\n".utf8))
        }
        let hosts = loopback ? ["127.0.0.1"] : NetworkInterfaces.ipv4Addresses()
        // Data-channel events go to one consumer task, in order, which prints, echoes and sends.
        let (dataEvents, dataSink) = AsyncStream<PeerConnection.Event>.makeStream()
        let driver = try PeerConnectionDriver(
            configuration: configuration, hosts: hosts, simulatedLoss: simulateLoss, logger: logger,
            onEvent: { event in
                switch event {
                case .stateChanged(let state): mark("pc_\(state.rawValue)")
                case .trackAdded(let track): mark("track_\(track.mid)")
                case .failure(let error): mark("failure: \(error)")
                case .dataChannelOpened, .dataChannelMessage, .dataChannelClosed, .dataChannelError: dataSink.yield(event)
                default: break
                }
            },
            onAudio: { _, frame in recording.withLock { $0.append(contentsOf: frame.samples) } })
        if outgoing != nil { driver.connection.addSendTrack() }
        if record != nil { driver.connection.addReceiveOnlyAudio() }
        for label in dataLabels {
            _ = try await driver.withConnection { try $0.createDataChannel(DataChannelOptions(label: label), now: .now) }
        }
        try driver.start()
        let channels = DataChannelDirectory()
        let dataTask = Task { [dataEcho] in
            var pending = linesToSend
            for await event in dataEvents {
                switch event {
                case .dataChannelOpened(let channel):
                    channels.opened(channel)
                    mark("data_open_\(channel.label)")
                    Self.emit(["type": "channel", "event": "open", "label": channel.label, "remote": channel.remote,
                               "streamID": channel.streamID.map { Int($0) } ?? -1])
                    if let lines = pending {
                        pending = nil
                        for line in lines { driver.sendData(.text(line), on: channel.id) }
                    }
                case .dataChannelMessage(let id, let message):
                    let label = channels.label(of: id) ?? ""
                    switch message {
                    case .text(let text): Self.emit(["type": "data", "label": label, "text": text])
                    case .binary(let bytes): Self.emit(["type": "data", "label": label, "binary": Data(bytes).base64EncodedString()])
                    }
                    if dataEcho { driver.sendData(message, on: id) }
                case .dataChannelClosed(let id):
                    let label = channels.closed(id) ?? ""
                    mark("data_closed_\(label)")
                    Self.emit(["type": "channel", "event": "closed", "label": label])
                case .dataChannelError(_, let line):
                    FileHandle.standardError.write(Data("data channel: \(line)\n".utf8))
                default:
                    break
                }
            }
        }

        let lines = StandardInputLines()
        switch role {
        case .offer:
            let offer = try await driver.withConnection { try $0.createOffer() }
            Self.emit(["type": "offer", "sdp": offer])
            let answer = try await Self.read("answer", from: lines)
            try await driver.withConnection { try $0.setRemoteDescription(answer, type: .answer, now: .now) }
        case .answer:
            let offer = try await Self.read("offer", from: lines)
            let answer = try await driver.withConnection { connection in
                try connection.setRemoteDescription(offer, type: .offer, now: .now)
                return try connection.createAnswer()
            }
            Self.emit(["type": "answer", "sdp": answer])
        }
        let (stopRequests, stopSink) = AsyncStream<Void>.makeStream()
        let candidates = Task {
            while let line = await lines.next() {
                guard let object = Self.decode(line) else { continue }
                switch object["type"] as? String {
                case "candidate":
                    let candidate = object["candidate"] as? String ?? ""
                    try? await driver.withConnection { try $0.addRemoteCandidate(candidate, now: .now) }
                case "data":
                    guard let label = object["label"] as? String, let id = channels.id(of: label) else { continue }
                    if let text = object["text"] as? String {
                        driver.sendData(.text(text), on: id)
                    } else if let base64 = object["binary"] as? String, let bytes = Data(base64Encoded: base64) {
                        driver.sendData(.binary([UInt8](bytes)), on: id)
                    }
                case "close":
                    guard let label = object["label"] as? String, let id = channels.id(of: label) else { continue }
                    driver.closeDataChannel(id)
                case "bye":
                    stopSink.yield()
                case "open":
                    guard let label = object["label"] as? String else { continue }
                    _ = try? await driver.withConnection { try $0.createDataChannel(DataChannelOptions(label: label), now: .now) }
                default:
                    continue
                }
            }
        }
        if let outgoing { driver.enqueue(outgoing) }
        // Stays up for --duration, or until stdin says {"type":"bye"}.
        let milliseconds = Int(duration * 1000)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: .milliseconds(milliseconds)) }
            group.addTask { for await _ in stopRequests { return } }
            await group.next()
            group.cancelAll()
        }
        candidates.cancel()
        let statistics = try await driver.withConnection { $0.statistics }
        driver.stop()
        dataSink.finish()
        await dataTask.value

        if let record {
            try WAVFile.write(AudioFrame(samples: recording.withLock { $0 }), toPath: record)
        }
        var stats: [String: Any] = [
            "packetsSent": statistics.packetsSent, "packetsReceived": statistics.packetsReceived,
            "packetsLost": statistics.packetsLost, "droppedDatagrams": statistics.droppedDatagrams,
            "rtcpSent": statistics.rtcpSent, "rtcpReceived": statistics.rtcpReceived,
            "connected": statistics.connectedAfter != nil, "marks": marks.withLock { $0 },
            "dataChannelsOpened": statistics.dataChannelsOpened, "dataChannelsClosed": statistics.dataChannelsClosed,
            "dataMessagesSent": statistics.dataMessagesSent, "dataMessagesReceived": statistics.dataMessagesReceived,
            "dataBytesSent": statistics.dataBytesSent, "dataBytesReceived": statistics.dataBytesReceived,
        ]
        if let profile = statistics.srtpProfile { stats["srtpProfile"] = profile.description }
        if let after = statistics.connectedAfter {
            stats["connectMs"] = Double(after.components.seconds) * 1000 + Double(after.components.attoseconds) / 1e15
        }
        Self.emit(["type": "stats", "stats": stats])
    }

    private static func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        printFlushed(String(decoding: data, as: UTF8.self))
    }

    private static func decode(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    private static func read(_ type: String, from lines: StandardInputLines) async throws -> String {
        while let line = await lines.next() {
            guard let object = decode(line) else {
                throw ValidationError("stdin: not a JSON object: \(line.prefix(120))")
            }
            if object["type"] as? String == type, let sdp = object["sdp"] as? String { return sdp }
            if object["type"] as? String == "candidate" { continue }
            throw ValidationError("stdin: expected a \(type), got type \(object["type"] ?? "none")")
        }
        throw ValidationError("stdin closed before the \(type) arrived")
    }
}

/// The open data channels by label (the newest wins), shared by the event task and the stdin task.
final class DataChannelDirectory: Sendable {
    private let state = Mutex<(labels: [PeerConnection.DataChannelID: String], byLabel: [String: PeerConnection.DataChannelID])>(([:], [:]))

    func opened(_ channel: PeerConnection.DataChannel) {
        state.withLock { $0.labels[channel.id] = channel.label; $0.byLabel[channel.label] = channel.id }
    }

    func closed(_ id: PeerConnection.DataChannelID) -> String? {
        state.withLock { state in
            let label = state.labels[id]
            if let label, state.byLabel[label] == id { state.byLabel[label] = nil }
            return label
        }
    }

    func label(of id: PeerConnection.DataChannelID) -> String? { state.withLock { $0.labels[id] } }
    func id(of label: String) -> PeerConnection.DataChannelID? { state.withLock { $0.byLabel[label] } }
}

/// Lines from stdin, read on a thread of their own so a blocking read never holds the task pool.
final class StandardInputLines: @unchecked Sendable {
    // SAFETY: one consumer at a time (the SDP exchange, then the candidate task), never concurrently.
    private var iterator: AsyncStream<String>.Iterator

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        iterator = stream.makeAsyncIterator()
        Thread.detachNewThread {
            while let line = readLine() { continuation.yield(line) }
            continuation.finish()
        }
    }

    func next() async -> String? { await iterator.next(isolation: nil) }
}
