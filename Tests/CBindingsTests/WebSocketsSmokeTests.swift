import CWebSockets
import Testing

/// libwebsockets links and reports a 4.x version (Debian 12 ships 4.1).
@Test func libwebsocketsReportsItsVersion() throws {
    let version = String(cString: try #require(lws_get_library_version()))
    #expect(version.hasPrefix("4."), "got \(version)")
}
