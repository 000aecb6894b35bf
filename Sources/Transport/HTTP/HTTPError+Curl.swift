import CCurl

extension HTTPError {
    /// Maps a failed transfer's `CURLcode` to our codes. The message is libcurl's generic text for
    /// the code, never the error buffer, which can echo the URL (query strings may hold keys).
    ///
    /// `CURLE_OPERATION_TIMEDOUT` can only come from CURLOPT_CONNECTTIMEOUT_MS (which covers TCP
    /// and the TLS handshake): the client sets no other libcurl timeout, the driver enforces the rest.
    init(curlCode code: CURLcode) {
        let text = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT:
            self.init(.invalidRequest, "invalid request: \(text)")
        // The scheme was checked before the transfer, so this is a server answering in something
        // other than HTTP ("Received HTTP/0.9 when not allowed"): the server's fault, not the request's.
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_WEIRD_SERVER_REPLY:
            self.init(.network, "the server's answer is not HTTP: \(text)")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            self.init(.connectFailed, "connect failed: \(text)")
        case CURLE_OPERATION_TIMEDOUT:
            self.init(.timeout(.connect), "connect timed out")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT:
            self.init(.tls, "TLS failed: \(text)")
        default:
            self.init(.network, "network error: \(text)")
        }
    }
}
