import RTC
import Testing

@Suite("TransportAddress")
struct TransportAddressTests {
    @Test func parsesAndFormatsBothFamilies() throws {
        let v4 = try #require(TransportAddress(host: "192.0.2.1", port: 32853))
        #expect(v4.ipBytes == [192, 0, 2, 1])
        #expect(v4.description == "192.0.2.1:32853")
        let v6 = try #require(TransportAddress(host: "[2001:db8:1234:5678:11:2233:4455:6677]", port: 32853))
        #expect(v6.isIPv6)
        #expect(v6.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
        #expect(TransportAddress(host: "127.0.0.1", port: 1)?.isLoopback == true)
        #expect(TransportAddress(host: "::1", port: 1)?.isLoopback == true)
        #expect(TransportAddress(host: "example.com", port: 1) == nil)
        #expect(TransportAddress(ipBytes: [1, 2, 3], port: 1) == nil)
    }
}
