/// The pair media uses, with its consent-freshness clock (RFC 7675).
struct SelectedPath {
    let key: ICEPairKey
    var nominated: Bool
    /// The ICE generation (restart count) it was selected in.
    let generation: Int
    /// Last authenticated success response over this path; selection itself counts as one.
    var lastConsentAt: ContinuousClock.Instant
    var nextConsentAt: ContinuousClock.Instant
    /// Lite agents answer checks but send no consent requests of their own.
    let consentEnabled: Bool
}
