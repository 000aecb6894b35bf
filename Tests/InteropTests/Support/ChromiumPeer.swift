import Foundation
import TestSupport

/// Headless Chromium (Debian's `chromium`) as an independent JSEP peer: a page runs a script with
/// the browser's own `RTCPeerConnection` and the result is read back from the dumped DOM.
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
    static func run(_ body: String) async throws -> String {
        let directory = try InteropPeers.workspace("chromium")
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("page.html")
        let html = """
            <!doctype html><html><body><pre id="out">pending</pre><script>
            (async () => { \(body) })()
              .then(value => { document.getElementById('out').textContent = 'OK ' + JSON.stringify(value); })
              .catch(error => { document.getElementById('out').textContent = 'ERROR ' + error; });
            </script></body></html>
            """
        try html.write(to: page, atomically: true, encoding: .utf8)
        let result = try await Subprocess.run(try executable(), [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(directory.path)/profile",
            "--virtual-time-budget=10000", "--dump-dom", page.absoluteString,
        ])
        guard let start = result.stdout.range(of: "<pre id=\"out\">"),
              let end = result.stdout.range(of: "</pre>", range: start.upperBound..<result.stdout.endIndex) else {
            throw Failure(description: "Chromium printed no result (status \(result.status)): \(result.stderr.suffix(500))")
        }
        let text = unescape(String(result.stdout[start.upperBound..<end.lowerBound]))
        if text.hasPrefix("OK ") { return String(text.dropFirst(3)) }
        throw Failure(description: "Chromium: \(text)")
    }

    /// A JS string literal holding `text`.
    static func literal(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [])
        return data.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
    }

    private static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
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
