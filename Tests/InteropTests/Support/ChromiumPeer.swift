import Foundation
import TestSupport

/// Headless Chromium (Debian's `chromium`) as an independent JSEP peer: a page runs a script with
/// the browser's own `RTCPeerConnection` and posts its result to a loopback server.
///
/// One run is one page load, so exchanges that need two steps use two runs; Chromium's offers for
/// the same script have the same shape (mids, m-lines, codecs) each time, which is all an answer
/// depends on besides its own credentials.
enum ChromiumPeer {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// `$STEADFAST_CHROMIUM`, else `/usr/bin/chromium` (`make deps` installs it).
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["STEADFAST_CHROMIUM"] ?? "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw InteropPeers.Missing(description: "Chromium not found at \(path); run `make deps` (Debian package chromium)")
        }
        return path
    }

    /// Runs `body` (the inside of an async JS function that returns a JSON-encodable value) in a
    /// fresh headless Chromium and returns the value's JSON. A thrown JS error is a `Failure`.
    ///
    /// The page POSTs its result to a loopback server and the browser is stopped once it arrives:
    /// reading a dumped DOM instead raced the browser's virtual clock on a loaded machine (the dump
    /// came before WebRTC's own threads had finished).
    static func run(_ body: String, timeout: Duration = .seconds(60)) async throws -> String {
        let directory = try InteropPeers.workspace("chromium")
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = try ScriptedHTTPServer { _ in .json(status: 200, "{}") }
        defer { collector.stop() }
        let page = directory.appendingPathComponent("page.html")
        let html = """
            <!doctype html><html><body><script>
            (async () => { \(body) })()
              .then(value => 'OK ' + JSON.stringify(value), error => 'ERROR ' + error)
              .then(text => fetch('http://127.0.0.1:\(collector.port)/result', { method: 'POST', mode: 'no-cors', body: text }));
            </script></body></html>
            """
        try html.write(to: page, atomically: true, encoding: .utf8)
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: try executable())
        browser.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--user-data-dir=\(directory.path)/profile", page.absoluteString]
        browser.standardOutput = FileHandle.nullDevice
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        defer { browser.terminate(); browser.waitUntilExit() }
        guard await collector.waitForRequests(count: 1, timeout: timeout), let text = collector.requests.first?.bodyText else {
            throw Failure(description: "Chromium reported nothing within \(timeout)")
        }
        if text.hasPrefix("OK ") { return String(text.dropFirst(3)) }
        throw Failure(description: "Chromium: \(text)")
    }

    /// A JS string literal holding `text`.
    static func literal(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [])
        return data.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
    }


    /// A live audio track without devices (headless Chromium never resolves getUserMedia for a
    /// file:// page): a WebAudio oscillator into a MediaStream, as real to RTCPeerConnection as a mic.
    static let audioTrackScript = """
        const audio = new AudioContext();
        const tone = audio.createOscillator();
        const sink = audio.createMediaStreamDestination();
        tone.connect(sink);
        tone.start();
        const stream = sink.stream;
        """

    /// The offer Chromium makes as a LiveKit web client's publisher does: microphone audio and a
    /// reliable data channel. Leaves `pc` with the offer set as its local description.
    static let publisherOfferScript = audioTrackScript + """
        const pc = new RTCPeerConnection();
        pc.addTrack(stream.getAudioTracks()[0], stream);
        pc.createDataChannel('_reliable', { ordered: true });
        const offer = await pc.createOffer();
        await pc.setLocalDescription(offer);
        """
}
