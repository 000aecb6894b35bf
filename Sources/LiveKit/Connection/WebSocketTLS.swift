import COpenSSL
import CShims
import Foundation
import Synchronization

/// Where `wss://` certificates are verified against: the system trust store, as OpenSSL finds it
/// (`SSL_CERT_FILE` / `SSL_CERT_DIR` override it, as they do for libcurl and Python), plus an
/// optional CA file from the configuration (`LIVEKIT_CA_FILE`) for a private LiveKit.
/// Verification is never switched off: chain, expiry and host name (or IP address) always count.
public struct WebSocketTrust: Hashable, Sendable {
    /// `SSL_CERT_FILE`, or nil for OpenSSL's default bundle.
    public var certificateFile: String?
    /// `SSL_CERT_DIR`, or nil for OpenSSL's default directory.
    public var certificateDirectory: String?
    /// Extra PEM CA certificates trusted besides the system's (`LIVEKIT_CA_FILE`).
    public var caFile: String?

    public init(certificateFile: String? = nil, certificateDirectory: String? = nil, caFile: String? = nil) {
        self.certificateFile = certificateFile
        self.certificateDirectory = certificateDirectory
        self.caFile = caFile
    }

    /// The trust a process with `environment` has, plus `caFile`.
    public init(environment: [String: String], caFile: String?) {
        self.init(certificateFile: environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 },
                  certificateDirectory: environment["SSL_CERT_DIR"].flatMap { $0.isEmpty ? nil : $0 },
                  caFile: caFile.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The CA file the configuration names (`LIVEKIT_CA_FILE`), set once at startup by the command
    /// line; every `DefaultWebSocketTransport()` made afterwards trusts it.
    public static var configuredCAFile: String? {
        get { configured.withLock { $0 } }
        set { configured.withLock { $0 = newValue } }
    }

    private static let configured = Mutex<String?>(nil)

    /// A client `SSL_CTX` trusting this, or a one-line reason it cannot be made (an unreadable CA file).
    /// TLS 1.2 at least; the host name / IP check itself is set per connection by libwebsockets and
    /// corrected for IP literals by `WebSocketTLS.infoCallback`.
    func makeContext() -> Result<OpaquePointer, LiveKitError> {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            return .failure(LiveKitError(.tls, "cannot set up TLS: OpenSSL could not create a client context"))
        }
        _ = steadfast_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let file = certificateFile ?? String(cString: X509_get_default_cert_file())
        let directory = certificateDirectory ?? String(cString: X509_get_default_cert_dir())
        // A missing default bundle or directory only narrows the trust; the handshake then says so.
        if FileManager.default.fileExists(atPath: file) { _ = SSL_CTX_load_verify_locations(context, file, nil) }
        _ = SSL_CTX_load_verify_locations(context, nil, directory)
        ERR_clear_error()
        if let caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                ERR_clear_error()
                SSL_CTX_free(context)
                return .failure(LiveKitError(.tls, "cannot read LIVEKIT_CA_FILE=\(caFile): it must be a readable PEM file "
                                             + "of CA certificates"))
            }
        }
        SSL_CTX_set_info_callback(context, WebSocketTLS.infoCallback)
        return .success(context)
    }
}

enum WebSocketTLS {
    /// Runs when a handshake starts, before the ClientHello is written. libwebsockets 4.1 sends the
    /// Host header's name as SNI even for an IP literal (and mangles an IPv6 one); RFC 6066 §3
    /// forbids IP literals in SNI, so for those the SNI is removed and the certificate is checked
    /// against the IP SAN of the address actually connected to.
    static let infoCallback: @convention(c) (OpaquePointer?, Int32, Int32) -> Void = { ssl, location, _ in
        guard let ssl, location & SSL_CB_HANDSHAKE_START != 0 else { return }
        let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) } ?? ""
        if !name.isEmpty, !name.hasPrefix("["), !LiveKitWebSocket.isIPAddress(name) { return }
        _ = steadfast_SSL_clear_tlsext_host_name(ssl)
        guard name.hasPrefix("[") else { return }  // IPv4: libwebsockets already checks the IP SAN.
        // An IPv6 literal reached libwebsockets as "[": check the peer's address instead.
        guard let parameters = SSL_get0_param(ssl), let peer = peerAddress(SSL_get_fd(ssl)) else { return }
        _ = X509_VERIFY_PARAM_set1_host(parameters, nil, 0)
        _ = X509_VERIFY_PARAM_set1_ip_asc(parameters, peer)
    }

    private static func peerAddress(_ socket: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) }
        }
        guard got == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET6:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr } }
            guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return nil }
        case AF_INET:
            var address = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr } }
            guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return nil }
        default:
            return nil
        }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// One line for a certificate verification failure (OpenSSL's `X509_V_ERR_*`), with what to try.
    static func describe(verifyError: Int32, url: String) -> String {
        let trustHint = "if it is signed by a private CA, set LIVEKIT_CA_FILE (or SSL_CERT_FILE) to that CA's PEM file"
        switch verifyError {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "TLS with \(url) failed: the server's certificate has expired — renew it on the server"
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "TLS with \(url) failed: the server's certificate is not valid yet — check the clocks of both machines"
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "TLS with \(url) failed: the server's certificate is not for this host — use the name (or IP address) "
                + "the certificate was issued to in LIVEKIT_URL"
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return "TLS with \(url) failed: the server's certificate is not trusted — \(trustHint)"
        default:
            let reason = String(cString: X509_verify_cert_error_string(Int(verifyError)))
            return "TLS with \(url) failed: the server's certificate was refused (\(reason)) — \(trustHint)"
        }
    }
}
