import CCurl
import CShims
import Foundation
import TestSupport
import Testing

/// A libcurl easy handle fetches a body from a loopback HTTP server, through the setopt shims.
@Test func curlEasyHandleFetchesFromLoopbackServer() throws {
    let server = try LoopbackHTTPServer(body: "hello from steadfast")
    defer { server.stop() }
    #expect(curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK)
    let handle = try #require(curl_easy_init())
    defer { curl_easy_cleanup(handle) }

    final class Sink { var bytes: [UInt8] = [] }
    let sink = Sink()
    let context = Unmanaged.passUnretained(sink).toOpaque()
    #expect(steadfast_curl_easy_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:\(server.port)/hello") == CURLE_OK)
    #expect(steadfast_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, 5_000) == CURLE_OK)
    #expect(steadfast_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context) == CURLE_OK)
    let write: steadfast_curl_data_callback = { data, size, count, context in
        // SAFETY: context is the Sink retained by the enclosing test for the whole transfer.
        let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        sink.bytes += UnsafeRawBufferPointer(start: data, count: length)
        return length
    }
    #expect(steadfast_curl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, write) == CURLE_OK)

    #expect(curl_easy_perform(handle) == CURLE_OK)
    var status = 0
    #expect(steadfast_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
    #expect(status == 200)
    #expect(String(decoding: sink.bytes, as: UTF8.self) == "hello from steadfast")
    #expect(server.receivedRequests.first?.hasPrefix("GET /hello HTTP/1.1") == true)
}
