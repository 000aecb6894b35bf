import RTC

/// Two `DTLSTransport`s wired back to back on a virtual clock, with a hook to lose datagrams.
///
/// Handshake deadlines run on the virtual clock. OpenSSL 3.0's retransmission timers read the wall
/// clock and cannot be driven virtually, so `fireNextRetransmission()` also waits that long for real;
/// the transports use a short first interval so this costs tens of milliseconds.
final class DTLSLink {
    let client: DTLSTransport
    let server: DTLSTransport
    let clientCertificate: DTLSCertificate
    let serverCertificate: DTLSCertificate
    var now: ContinuousClock.Instant
    private(set) var clientEvents: [DTLSTransport.Event] = []
    private(set) var serverEvents: [DTLSTransport.Event] = []
    private(set) var clientDatagrams: [[UInt8]] = []
    private(set) var serverDatagrams: [[UInt8]] = []
    private(set) var deadlines: [DTLSRole: ContinuousClock.Instant] = [:]
    /// Return true to lose a datagram: sender, its index among that sender's datagrams, the bytes.
    var shouldDrop: (DTLSRole, Int, [UInt8]) -> Bool = { _, _, _ in false }

    static let initialRetransmit = Duration.milliseconds(40)

    init(
        clientProfiles: [SRTPProfile] = SRTPProfile.defaultOffer,
        serverProfiles: [SRTPProfile] = SRTPProfile.defaultOffer,
        handshakeTimeout: Duration = .seconds(30), mtu: Int = 1200,
        clientExpects: DTLSFingerprint? = nil, serverExpects: DTLSFingerprint? = nil,
        clientExpectsAlgorithm: DTLSFingerprint.Algorithm = .sha256
    ) throws {
        clientCertificate = try DTLSCertificate()
        serverCertificate = try DTLSCertificate()
        let serverFingerprint = try DTLSFingerprint(
            hashingCertificateDER: serverCertificate.derEncoded, algorithm: clientExpectsAlgorithm)
        client = try DTLSTransport(
            role: .client, certificate: clientCertificate,
            remoteFingerprint: clientExpects ?? serverFingerprint,
            mtu: mtu, handshakeTimeout: handshakeTimeout, srtpProfiles: clientProfiles,
            initialRetransmitTimeout: Self.initialRetransmit)
        server = try DTLSTransport(
            role: .server, certificate: serverCertificate,
            remoteFingerprint: serverExpects ?? clientCertificate.fingerprint,
            mtu: mtu, handshakeTimeout: handshakeTimeout, srtpProfiles: serverProfiles,
            initialRetransmitTimeout: Self.initialRetransmit)
        now = ContinuousClock.now
    }

    /// Starts both ends and exchanges datagrams until only timers are left.
    func start() {
        server.start(now: now)
        client.start(now: now)
        exchange()
    }

    /// Delivers every pending datagram (unless dropped) until both sides only wait for timers.
    func exchange() {
        var progressed = true
        while progressed {
            let clientSent = drain(.client)
            let serverSent = drain(.server)
            progressed = clientSent || serverSent
        }
    }

    /// Waits for the earliest retransmission timer (virtually and for real), fires it, and exchanges.
    func fireNextRetransmission() async throws {
        guard let (role, deadline) = deadlines.min(by: { $0.value < $1.value }) else { return }
        let gap = deadline - now
        // Only retransmission timers are short; never sit out a handshake deadline for real.
        guard gap <= .seconds(2) else { return }
        if gap > .zero {
            try await Task.sleep(for: gap + .milliseconds(5))
            now = deadline
        }
        transport(role).handle(.timeout, now: now)
        exchange()
    }

    /// Fires retransmissions until both ends connected or `limit` timers went by.
    func runUntilConnected(limit: Int = 8) async throws {
        var fired = 0
        while !isConnected && fired < limit && !hasFailed {
            try await fireNextRetransmission()
            fired += 1
        }
    }

    var isConnected: Bool { client.state == .connected && server.state == .connected }
    var hasFailed: Bool { client.state == .failed || server.state == .failed }

    func transport(_ role: DTLSRole) -> DTLSTransport { role == .client ? client : server }

    func statistics(_ role: DTLSRole) -> DTLSTransport.Statistics { transport(role).statistics }

    func keyingMaterial(_ role: DTLSRole) -> SRTPKeyingMaterial? {
        for event in role == .client ? clientEvents : serverEvents {
            if case .connected(let material) = event { return material }
        }
        return nil
    }

    func failure(_ role: DTLSRole) -> RTCError? {
        for event in role == .client ? clientEvents : serverEvents {
            if case .failed(let error) = event { return error }
        }
        return nil
    }

    func applicationData(_ role: DTLSRole) -> [[UInt8]] {
        (role == .client ? clientEvents : serverEvents).compactMap {
            if case .applicationData(let data) = $0 { return data }
            return nil
        }
    }

    func sawClosed(_ role: DTLSRole) -> Bool {
        (role == .client ? clientEvents : serverEvents).contains(.closed)
    }

    private func drain(_ role: DTLSRole) -> Bool {
        let sender = transport(role)
        let receiver = transport(role == .client ? .server : .client)
        var progressed = false
        deadlines[role] = nil
        polling: while let output = sender.pollOutput() {
            switch output {
            case .transmit(let datagram):
                progressed = true
                let index = role == .client ? clientDatagrams.count : serverDatagrams.count
                if role == .client { clientDatagrams.append(datagram) } else { serverDatagrams.append(datagram) }
                if !shouldDrop(role, index, datagram) { receiver.handle(.datagram(datagram), now: now) }
            case .event(let event):
                if role == .client { clientEvents.append(event) } else { serverEvents.append(event) }
            case .timeout(let deadline):
                deadlines[role] = deadline
                break polling
            }
        }
        return progressed
    }
}
