/// Bounds on tool calls assembled from stream fragments. A provider that streams argument
/// fragments (or new call indexes) forever fails that request as a malformed response instead of
/// growing memory until the turn's deadline.
enum ToolCallLimits {
    /// Far above any real call's arguments (they are a few hundred bytes of JSON).
    static let maximumArgumentBytes = 1 << 20
    /// Far above the parallel calls any model makes in one step.
    static let maximumCalls = 128
}
