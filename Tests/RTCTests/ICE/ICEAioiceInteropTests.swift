#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RTC
import Synchronization
import Testing
import TestSupport

/// Our agent against an independent ICE implementation (aioice, the agent inside aiortc) over real
/// UDP on 127.0.0.1. aioice never signals its candidate: we learn it peer-reflexively from its checks.
@Suite("ICE interop with aioice", .timeLimit(.minutes(10)))
struct ICEAioiceInteropTests {
    /// aioice side: gather on loopback only, check our candidate, connect, send "ping", expect "pong:ping".
    static let peerScript = #"""
        import asyncio, json, sys
        import aioice.ice
        from aioice import Candidate, Connection
        aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

        async def main():
            a = json.loads(sys.argv[1])
            conn = Connection(ice_controlling=a["controlling"], use_ipv6=False,
                              local_username=a["ufrag"], local_password=a["pwd"])
            await conn.gather_candidates()
            conn.remote_username = a["remoteUfrag"]
            conn.remote_password = a["remotePwd"]
            line = a["candidate"]
            await conn.add_remote_candidate(Candidate.from_sdp(line.split(":", 1)[1]))
            await conn.add_remote_candidate(None)
            await asyncio.wait_for(conn.connect(), 30)
            await conn.send(b"ping")
            reply = await asyncio.wait_for(conn.recv(), 15)
            pair = conn._nominated.get(1)
            print(json.dumps({"reply": reply.decode(), "remote": list(pair.remote_addr)}))
            await conn.close()

        asyncio.run(main())
        """#

    struct Outcome: Sendable {
        var states: [ICEConnectionState] = []
        var selectedRemote: TransportAddress?
        var echoed = 0
        var role: ICERole?
    }

    @Test(arguments: [true, false])
    func connectsWithAioice(aioiceControls: Bool) async throws {
        let python = try InteropPython.interpreter()
        let socket = try LoopbackUDPSocket()
        defer { socket.close() }
        let ours = ICECredentials.random()
        let theirs = ICECredentials.random()
        let host = try #require(TransportAddress(host: "127.0.0.1", port: socket.port))
        let candidate = ICECandidate(
            foundation: "1", priority: ICECandidate.priority(kind: .host, localPreference: 65535),
            address: host, kind: .host)
        let arguments: [String: Any] = [
            "controlling": aioiceControls, "ufrag": theirs.usernameFragment, "pwd": theirs.password,
            "remoteUfrag": ours.usernameFragment, "remotePwd": ours.password, "candidate": candidate.sdpAttribute,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let stop = StopFlag()
        async let driven = Self.drive(
            socket: socket, host: host, local: ours, remote: theirs,
            role: aioiceControls ? .controlled : .controlling, stop: stop)
        let result: SubprocessResult
        do {
            result = try await Subprocess.run(python, ["-c", Self.peerScript, json])
        } catch {
            stop.raise()
            _ = await driven
            throw error
        }
        stop.raise()
        let outcome = await driven
        #expect(result.status == 0, "aioice failed: \(result.stderr.suffix(1500))")
        #expect(result.stdout.contains("\"reply\": \"pong:ping\""), "aioice output: \(result.stdout)")
        #expect(outcome.states.contains(.completed), "our states: \(outcome.states)")
        #expect(outcome.selectedRemote?.isLoopback == true)
        #expect(outcome.echoed >= 1)
        #expect(outcome.role == (aioiceControls ? .controlled : .controlling))
        if let remote = outcome.selectedRemote {
            #expect(result.stdout.contains("\(socket.port)"), "aioice selected our socket")
            #expect(remote.port != socket.port)
        }
    }

    /// The IO shell a PeerConnection would be: poll the socket, feed STUN to the agent, echo anything else
    /// back over the selected pair. Runs on its own thread so blocking `poll` stays off the cooperative pool.
    static func drive(
        socket: LoopbackUDPSocket, host: TransportAddress, local: ICECredentials, remote: ICECredentials,
        role: ICERole, stop: StopFlag
    ) async -> Outcome {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let agent = ICEAgent(localCredentials: local, role: role)
                agent.addLocalHostCandidate(host)
                agent.setRemoteCredentials(remote)
                var outcome = Outcome()
                var pending: ([UInt8], TransportAddress)?
                var wake = ContinuousClock.now
                let hardStop = ContinuousClock.now + .seconds(60)
                agent.handle(.timeout, now: .now)
                while !stop.isRaised && ContinuousClock.now < hardStop {
                    while let output = agent.pollOutput() {
                        if case .transmit(let bytes, _, let to) = output { socket.send(bytes, to: to) }
                        if case .event(.connectionStateChanged(let state)) = output { outcome.states.append(state) }
                    }
                    // Nothing scheduled: look again soon (the stop flag is only read between waits).
                    wake = agent.nextDeadline ?? ContinuousClock.now + .milliseconds(50)
                    if let (bytes, from) = socket.receive(timeout: min(wake - .now, .milliseconds(50))) {
                        if STUNMessage.isSTUN(bytes) {
                            agent.handle(.datagram(bytes, from: from, to: host), now: .now)
                        } else {
                            // The controlling peer may send as soon as it nominated, before our
                            // triggered check completes and we select the pair: hold it until then.
                            pending = (bytes, from)
                        }
                    }
                    if let (bytes, from) = pending, agent.selectedPair?.remote == from {
                        socket.send(Array("pong:".utf8) + bytes, to: from)
                        outcome.echoed += 1
                        pending = nil
                    }
                    if ContinuousClock.now >= wake { agent.handle(.timeout, now: .now) }
                }
                outcome.selectedRemote = agent.selectedPair?.remote
                outcome.role = agent.role
                continuation.resume(returning: outcome)
            }
        }
    }
}

/// Set by the test when the peer process has exited.
final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// A UDP socket bound to 127.0.0.1:0. Test plumbing: the agent itself never touches sockets.
final class LoopbackUDPSocket: Sendable {
    let descriptor: Int32
    let port: UInt16

    struct SocketError: Error { let call: String }

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(call: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(descriptor)
            throw SocketError(call: "bind")
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    func close() { Glibc.close(descriptor) }

    func send(_ bytes: [UInt8], to destination: TransportAddress) {
        guard !destination.isIPv6 else { return }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = destination.port.bigEndian
        withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: destination.ipBytes) }
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bytes.withUnsafeBytes { buffer in
                    sendto(
                        descriptor, buffer.baseAddress, buffer.count, 0, raw,
                        socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// One datagram, or nil when none arrives within `timeout`.
    func receive(timeout: Duration) -> (bytes: [UInt8], from: TransportAddress)? {
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        var descriptorSet = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptorSet, 1, milliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &length)
                }
            }
        }
        guard count > 0 else { return nil }
        let ip = withUnsafeBytes(of: address.sin_addr) { Array($0) }
        guard let from = TransportAddress(ipBytes: ip, port: UInt16(bigEndian: address.sin_port)) else { return nil }
        return (Array(buffer.prefix(count)), from)
    }
}
