import Testing
import Transport

@Suite("UDP socket", .timeLimit(.minutes(1)))
struct UDPSocketTests {
    @Test func batchReceiveDeliversEveryDatagramWithItsSource() throws {
        let loopback = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let receiver = try UDPSocket(bindTo: loopback)
        let sender = try UDPSocket(bindTo: loopback)
        #expect(receiver.localAddress.port != 0)
        for index in 0..<10 {
            #expect(try sender.send([UInt8(index), 1, 2, 3], to: receiver.localAddress))
        }
        let batch = UDPReceiveBatch(capacity: 4)
        var received: [[UInt8]] = []
        // Non-blocking: poll a few times until all ten arrived (they are already queued on loopback).
        for _ in 0..<100 where received.count < 10 {
            let count = try receiver.receive(into: batch)
            for index in 0..<count {
                received.append(Array(batch.datagram(index)))
                #expect(batch.source(index) == sender.localAddress)
                #expect(!batch.wasTruncated(index))
            }
        }
        #expect(received == (0..<10).map { [UInt8($0), 1, 2, 3] })
        #expect(try receiver.receive(into: batch) == 0, "an empty socket returns at once")
    }

    @Test func oversizedDatagramsAreFlaggedAsTruncated() throws {
        let loopback = try #require(SocketAddress(host: "127.0.0.1", port: 0))
        let receiver = try UDPSocket(bindTo: loopback)
        let sender = try UDPSocket(bindTo: loopback)
        _ = try sender.send([UInt8](repeating: 7, count: 3000), to: receiver.localAddress)
        let batch = UDPReceiveBatch(capacity: 2, maximumDatagramSize: 1500)
        var count = 0
        for _ in 0..<100 where count == 0 { count = try receiver.receive(into: batch) }
        #expect(count == 1)
        #expect(batch.wasTruncated(0))
        #expect(batch.datagram(0).count == 1500)
    }

    @Test(arguments: [("127.0.0.1", 5000, "127.0.0.1:5000"), ("::1", 443, "[::1]:443"), ("10.1.2.3", 0, "10.1.2.3:0")])
    func addressesParseAndFormat(host: String, port: Int, text: String) throws {
        let address = try #require(SocketAddress(host: host, port: UInt16(port)))
        #expect(address.description == text)
        #expect(address == SocketAddress(host: host, port: UInt16(port)))
    }

    @Test func invalidHostsAreRejected() {
        #expect(SocketAddress(host: "not-an-ip", port: 1) == nil)
        #expect(SocketAddress(host: "300.1.1.1", port: 1) == nil)
    }
}
