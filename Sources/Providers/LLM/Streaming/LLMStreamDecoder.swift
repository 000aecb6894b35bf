import Transport

/// One vendor's streaming wire format, as a pure state machine from SSE events to `LLMEvent`s.
///
/// Decoders never do IO, so each vendor's quirks are tested by feeding events directly, and the one
/// driver (`SSEStreamDriver`) owns sending, status handling, cancellation and error mapping.
protocol LLMStreamDecoder: Sendable {
    /// Consumes one SSE event. Throws `ProviderError` for in-band errors and unparseable data.
    mutating func decode(_ event: SSEEvent) throws(ProviderError) -> [LLMEvent]
    /// True once the vendor's end marker has been seen and the final `.finish` emitted; the driver
    /// then stops reading.
    var isComplete: Bool { get }
    /// The body ended without the end marker: returns the closing events when the answer was in
    /// fact complete (a finish reason was seen), or throws `.network` for a truncated stream.
    mutating func endOfStream() throws(ProviderError) -> [LLMEvent]
}
