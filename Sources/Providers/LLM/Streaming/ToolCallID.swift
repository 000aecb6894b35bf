/// Mints ids for tool calls whose provider gave none (Gemini, some local servers).
///
/// OpenAI-shaped (`call_` + 24 alphanumerics) and well under OpenAI's 64-character limit, so the
/// id can be replayed to any provider after a fallback.
enum ToolCallID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    static func mint() -> String {
        var generator = SystemRandomNumberGenerator()
        return "call_" + String((0..<24).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
