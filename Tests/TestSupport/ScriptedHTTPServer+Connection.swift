import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ScriptedHTTPServer {
    /// One accepted socket: buffered request parsing and the blocking primitives a script needs.
    /// Owned by its connection thread only.
    struct Connection {
        let fd: Int32
        let stopRead: Int32
        private var buffer: [UInt8] = []
        /// The client closed or reset the connection (as opposed to the server stopping).
        private(set) var peerClosed = false

        init(fd: Int32, stopRead: Int32) {
            self.fd = fd
            self.stopRead = stopRead
        }

        /// Reads one request (line, headers, Content-Length body); nil when the connection ends.
        mutating func readRequest() -> RecordedRequest? {
            while true {
                if let end = headEnd() {
                    let head = String(decoding: buffer[..<end], as: UTF8.self)
                    var lines = head.components(separatedBy: "\r\n")
                    let requestLine = lines.removeFirst().split(separator: " ")
                    let headers: [(String, String)] = lines.compactMap { line in
                        guard let colon = line.firstIndex(of: ":") else { return nil }
                        return (String(line[..<colon]),
                                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                    }
                    let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
                    while buffer.count < end + 4 + length { guard fill() else { return nil } }
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return RecordedRequest(method: requestLine.first.map(String.init) ?? "",
                                           path: requestLine.count > 1 ? String(requestLine[1]) : "",
                                           headers: headers, body: body)
                }
                guard fill() else { return nil }
            }
        }

        private func headEnd() -> Int? {
            guard buffer.count >= 4 else { return nil }
            for index in 0...(buffer.count - 4)
            where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                return index
            }
            return nil
        }

        /// Reads more bytes; false when the peer closed or the server stopped.
        private mutating func fill() -> Bool {
            guard waitReadable(timeoutMilliseconds: -1) else { return false }
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { peerClosed = true; return false }
            buffer += chunk[..<count]
            return true
        }

        /// Polls the socket and the stop pipe. True when the socket is readable before anything else happens.
        private func waitReadable(timeoutMilliseconds: Int32) -> Bool {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0)]
            while true {
                let ready = poll(&fds, 2, timeoutMilliseconds)
                if ready < 0 && errno == EINTR { continue }
                if ready <= 0 || fds[1].revents != 0 { return false }
                return fds[0].revents != 0
            }
        }

        /// Writes everything; false if the client went away. MSG_NOSIGNAL: a closed peer must not SIGPIPE the tests.
        mutating func send(_ bytes: [UInt8]) -> Bool {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { peerClosed = true; return false }
                offset += sent
            }
            return true
        }

        /// Sleeps for `duration` unless the server stops or the client hangs up; false if either happened.
        ///
        /// Watching the socket for POLLRDHUP (not POLLIN: a pipelined request must not end the pause) lets
        /// tests see at once that a client abandoned a slow response, e.g. a hedge loser being cancelled.
        mutating func pause(_ duration: Duration) -> Bool {
            var fds = [pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: fd, events: Self.pollReadHangUp, revents: 0)]
            let deadline = ContinuousClock.now + duration
            while ContinuousClock.now < deadline {
                let left = deadline - ContinuousClock.now
                let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
                let ready = poll(&fds, 2, ms)
                if ready < 0 && errno == EINTR { continue }
                if fds[0].revents != 0 { return false }
                if fds[1].revents != 0 { peerClosed = true; return false }
            }
            return true
        }

        /// Linux POLLRDHUP (peer shut down its writing half); a GNU extension the Glibc module does not export.
        private static let pollReadHangUp: Int16 = 0x2000

        /// Sends nothing more; returns when the client closes the connection or the server stops.
        mutating func stall() {
            while waitReadable(timeoutMilliseconds: -1) {
                var scratch = [UInt8](repeating: 0, count: 4096)
                if recv(fd, &scratch, scratch.count, 0) <= 0 { peerClosed = true; return }
            }
        }

        /// SO_LINGER 0: the close that follows sends a reset, not an orderly end of stream.
        func armReset() {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
    }
}
