/// The release this binary reports (`--version`, worker registration).
enum SteadfastVersion {
    static let current = "0.1.0"
}
