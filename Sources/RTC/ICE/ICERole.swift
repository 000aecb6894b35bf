/// Which agent decides the nominated pair (RFC 8445 §6.1.1).
public enum ICERole: Sendable, Hashable {
    case controlling, controlled

    var opposite: ICERole { self == .controlling ? .controlled : .controlling }
}
