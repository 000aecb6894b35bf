import Synchronization

/// Agent types by name, so a dispatch (LiveKit's `agent_name`), the console's `--agent` flag or a
/// handoff can create a fresh agent. Swift code and `agents/*.yaml` register into the same registry.
///
///     let registry = AgentRegistry()
///     try registry.register(name: "concierge") { Concierge() }
///     let agent = registry.makeAgent(named: "concierge")
///
/// Each session gets its own agent instance from the factory, so agents may keep per-call state.
public final class AgentRegistry: Sendable {
    public typealias Factory = @Sendable () -> any VoiceAgent

    private struct Entry {
        var name: String
        var factory: Factory
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// Adds an agent type. Names are unique and may not contain whitespace (they travel in
    /// dispatch requests and command lines).
    public func register(name: String, factory: @escaping Factory) throws(AgentError) {
        guard !name.isEmpty, !name.contains(where: \.isWhitespace) else {
            throw AgentError(.invalidName, "agent name \"\(name)\" must be non-empty and without spaces")
        }
        let added = entries.withLock { entries in
            guard !entries.contains(where: { $0.name == name }) else { return false }
            entries.append(Entry(name: name, factory: factory))
            return true
        }
        guard added else { throw AgentError(.duplicateName, "an agent named \"\(name)\" is already registered") }
    }

    /// The factory registered under `name`.
    public func factory(named name: String) -> Factory? {
        entries.withLock { entries in entries.first { $0.name == name }?.factory }
    }

    /// A new instance of the agent registered under `name`.
    public func makeAgent(named name: String) -> (any VoiceAgent)? { factory(named: name)?() }

    public func contains(_ name: String) -> Bool { factory(named: name) != nil }

    /// Registered names in registration order (the first is the natural default).
    public var names: [String] { entries.withLock { $0.map(\.name) } }
}
