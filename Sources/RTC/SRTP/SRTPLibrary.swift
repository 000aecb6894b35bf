import CSRTP

/// libsrtp's process-wide initialisation, done exactly once.
enum SRTPLibrary {
    /// Swift runs a static `let` initialiser once, thread-safely (swift_once), so this is the one
    /// `srtp_init` call however many sessions start concurrently.
    static let isInitialized: Bool = srtp_init() == srtp_err_status_ok
}
