import CSRTP
import Synchronization

/// libsrtp's process-wide initialisation, done once and serialised.
///
/// libsrtp 2.5 allows exactly one successful `srtp_init` per process: a second call returns
/// `srtp_err_status_bad_param` (its debug module is already registered) while the library stays
/// usable. So "bad_param" means another component (or a test) initialised it first, and is accepted;
/// `srtp_create` would still report a library that is really unusable.
enum SRTPLibrary {
    private static let initialized = Mutex(false)

    /// True once libsrtp is initialised in this process.
    static func initialize() -> Bool {
        initialized.withLock { done in
            if !done {
                let status = srtp_init()
                done = status == srtp_err_status_ok || status == srtp_err_status_bad_param
            }
            return done
        }
    }
}
