import CCurl
import CShims
import Foundation
import Synchronization

/// One request in flight: the owner of its libcurl easy handle and header list, and the state the
/// driver needs to report the head, stream the body and enforce deadlines.
///
/// Threading: created on the caller's thread, then handed to `CurlMultiDriver` through its locked
/// command queue. From then on every member except `cancelRequested` and `body` (both
/// thread-safe) is touched only by the driver thread, including libcurl's callbacks, which run
/// inside `curl_multi_perform` on that thread.
final class CurlTransfer: @unchecked Sendable {
    // SAFETY: see the type comment. The mutable members below are confined to the driver thread
    // after `CurlMultiDriver.submit`; the queue's mutex orders the caller's writes before the
    // driver's reads. `cancelRequested` is atomic and `body` locks internally.

    /// The easy handle; nil once released. Released exactly once, by `release()` on the driver thread
    /// (after `curl_multi_remove_handle`) or in `deinit` if the transfer never reached the driver.
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?

    let timeouts: HTTPTimeouts
    let body = ResponseBodyChannel()
    /// Set from any thread when the caller cancels; read by the driver when it adds the transfer.
    let cancelRequested = Atomic<Bool>(false)

    /// Resumed exactly once by the driver: with the response when the final head arrives, or with an error.
    var headContinuation: UnsafeContinuation<HTTPResponse, any Error>?
    /// Builds the response body stream once the head is known (set by the client).
    var makeResponse: ((HTTPResponseHead) -> HTTPResponse)?

    private var parser = ResponseHeadParser()
    private(set) var headDelivered = false
    private(set) var startedAt = ContinuousClock.now
    private var requestSentAt: ContinuousClock.Instant?
    private var lastBodyActivity = ContinuousClock.now
    private(set) var paused = false

    /// Configures an easy handle for `request`. Throws `.invalidRequest` for what libcurl must not see.
    init(request: HTTPRequest) throws {
        timeouts = request.timeouts
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPError(.invalidRequest, "unsupported URL scheme")
        }
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(Self.isTokenByte) else {
            throw HTTPError(.invalidRequest, "invalid HTTP method")
        }
        guard let handle = curl_easy_init() else { throw HTTPError(.invalidRequest, "curl_easy_init failed") }
        easy = handle
        try configure(handle, request)
    }

    deinit { release() }

    /// Frees the easy handle and header list. Idempotent; call only when the handle is not in a multi.
    func release() {
        // Order matters: the handle references `headerList`, so it goes first.
        if let easy { curl_easy_cleanup(easy) }
        easy = nil
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
    }

    // MARK: Configuration

    private func configure(_ handle: UnsafeMutableRawPointer, _ request: HTTPRequest) throws {
        var ok = true
        func set(_ option: CURLoption, _ value: Int) { ok = ok && steadfast_curl_easy_setopt_long(handle, option, value) == CURLE_OK }
        func set(_ option: CURLoption, _ value: String) { ok = ok && steadfast_curl_easy_setopt_string(handle, option, value) == CURLE_OK }

        set(CURLOPT_URL, request.url.absoluteString)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS)
        // Prefer multiplexing on an existing HTTP/2 connection over opening a second one.
        set(CURLOPT_PIPEWAIT, 1)
        // Behind an https_proxy, the proxy's "200 Connection established" head is not our response.
        set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        if let connect = request.timeouts.connect { set(CURLOPT_CONNECTTIMEOUT_MS, max(1, connect.milliseconds)) }
        try configureMethodAndBody(handle, request, set: set, set: set)
        try configureHeaders(handle, request.headers)
        guard ok else { throw HTTPError(.invalidRequest, "libcurl rejected an option") }
        installCallbacks(handle)
    }

    private func configureMethodAndBody(_ handle: UnsafeMutableRawPointer, _ request: HTTPRequest,
                                        set setLong: (CURLoption, Int) -> Void,
                                        set setString: (CURLoption, String) -> Void) throws {
        let method = request.method.uppercased()
        if method == "HEAD" {
            setLong(CURLOPT_NOBODY, 1)
            return
        }
        if method == "GET" && request.body.isEmpty {
            setLong(CURLOPT_HTTPGET, 1)
            return
        }
        if !request.body.isEmpty || method == "POST" {
            // POSTFIELDSIZE must precede COPYPOSTFIELDS; libcurl copies the bytes, so `request` may go.
            guard steadfast_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
                == CURLE_OK else { throw HTTPError(.invalidRequest, "body size rejected") }
            let code = request.body.withUnsafeBytes { bytes -> CURLcode in
                // SAFETY: libcurl copies `count` bytes during this call and keeps no pointer to them.
                // An empty body still needs a non-null pointer, hence the one-byte fallback.
                var empty: UInt8 = 0
                guard let base = bytes.baseAddress else {
                    return steadfast_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, &empty)
                }
                return steadfast_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            }
            guard code == CURLE_OK else { throw HTTPError(.invalidRequest, "body rejected") }
        }
        if method != "POST" { setString(CURLOPT_CUSTOMREQUEST, method) }
    }

    private func configureHeaders(_ handle: UnsafeMutableRawPointer, _ headers: HTTPHeaders) throws {
        var list: UnsafeMutablePointer<curl_slist>?
        var hasExpect = false
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte),
                  !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                if let list { curl_slist_free_all(list) }
                // Never echo the field: it may be an API key.
                throw HTTPError(.invalidRequest, "invalid request header field")
            }
            if name.lowercased() == "expect" { hasExpect = true }
            // "Name;" is libcurl's spelling for a header with an empty value; "Name:" would remove it.
            let line = value.isEmpty ? "\(name);" : "\(name): \(value)"
            list = curl_slist_append(list, line)
        }
        // Streaming APIs never answer 100-continue; waiting for it only adds a second of latency.
        if !hasExpect { list = curl_slist_append(list, "Expect:") }
        headerList = list
        // SAFETY: libcurl keeps this pointer until the handle is cleaned up; `release()` frees the
        // list only after `curl_easy_cleanup`, and only once.
        guard steadfast_curl_easy_setopt_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(list))
            == CURLE_OK else { throw HTTPError(.invalidRequest, "headers rejected") }
    }

    private func installCallbacks(_ handle: UnsafeMutableRawPointer) {
        // SAFETY: the context is unretained. The driver keeps the transfer alive (in its active
        // table) for as long as the handle is in the multi, and callbacks only run inside
        // curl_multi_perform / curl_easy_pause on the driver thread while it is there.
        let context = Unmanaged.passUnretained(self).toOpaque()
        _ = steadfast_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
        _ = steadfast_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        _ = steadfast_curl_easy_setopt_pointer(handle, CURLOPT_PREREQDATA, context)
        _ = steadfast_curl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.onHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = steadfast_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.onBodyData(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        _ = steadfast_curl_easy_setopt_prereq_callback(handle) { context, _, _, _, _ in
            guard let context else { return 0 }
            Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().requestSentAt = .now
            return 0  // CURL_PREREQFUNC_OK
        }
    }

    // MARK: Callbacks (driver thread)

    private func onHeaderLine(_ line: UnsafeRawBufferPointer) -> Int {
        if case .complete(let head) = parser.consume(line) {
            headDelivered = true
            lastBodyActivity = .now
            if let continuation = headContinuation, let makeResponse {
                headContinuation = nil
                continuation.resume(returning: makeResponse(head))
            }
        }
        return line.count
    }

    private func onBodyData(_ data: UnsafeRawBufferPointer) -> Int {
        // Body bytes before a final head, or after the consumer left, abort the transfer (CURLE_WRITE_ERROR).
        guard headDelivered, !cancelRequested.load(ordering: .relaxed) else { return 0 }
        guard body.hasRoom else {
            body.markProducerPaused()
            paused = true
            return Int(CURL_WRITEFUNC_PAUSE)
        }
        lastBodyActivity = .now
        if !data.isEmpty { body.push(Array(data.bindMemory(to: UInt8.self))) }
        return data.count
    }

    // MARK: Driver hooks

    /// Called by the driver after it resumed the paused transfer.
    func didResume() {
        paused = false
        lastBodyActivity = .now
    }

    /// The earliest deadline still armed, with its kind.
    func nextDeadline() -> (kind: HTTPError.TimeoutKind, at: ContinuousClock.Instant)? {
        var best: (kind: HTTPError.TimeoutKind, at: ContinuousClock.Instant)?
        func consider(_ kind: HTTPError.TimeoutKind, _ at: ContinuousClock.Instant) {
            if best.map({ at < $0.at }) ?? true { best = (kind, at) }
        }
        if let total = timeouts.total { consider(.total, startedAt + total) }
        if !headDelivered, let firstByte = timeouts.firstByte, let sent = requestSentAt {
            consider(.firstByte, sent + firstByte)
        }
        if headDelivered, !paused, let idle = timeouts.idle { consider(.idle, lastBodyActivity + idle) }
        return best
    }

    /// Delivers the end of the transfer to whoever waits: the `send` caller or the body consumer.
    func complete(with error: HTTPError?) {
        if let continuation = headContinuation {
            headContinuation = nil
            continuation.resume(throwing: error ?? HTTPError(.network, "connection closed before the response head"))
        }
        body.finish(error)
    }

    func markStarted() { startedAt = .now }

    /// RFC 9110 §5.6.2 token characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, clamped to `Int`.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int.max : Int(clamping: ms + attoseconds / 1_000_000_000_000_000)
    }
}
