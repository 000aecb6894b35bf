/// One RFC 8285 header extension element: a local ID (negotiated with `a=extmap`) and its data.
///
/// `data` is a slice so that parsed elements point into the received packet without copying.
public struct RTPHeaderExtensionElement: Sendable, Equatable {
    /// 1–14 in the one-byte form, 1–255 in the two-byte form.
    public var id: UInt8
    public var data: ArraySlice<UInt8>

    public init(id: UInt8, data: ArraySlice<UInt8>) {
        self.id = id
        self.data = data
    }

    public init(id: UInt8, data: [UInt8]) {
        self.init(id: id, data: data[...])
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.data.elementsEqual(rhs.data)
    }
}

/// The two RFC 8285 encodings of the extension block.
public enum RTPHeaderExtensionForm: Sendable, Equatable {
    /// Profile 0xBEDE: IDs 1–14, 1–16 bytes of data (RFC 8285 §4.2).
    case oneByte
    /// Profile 0x100X: IDs 1–255, 0–255 bytes of data (RFC 8285 §4.3).
    case twoByte

    /// The smallest form that can carry all `elements`.
    public static func fitting(_ elements: some Sequence<RTPHeaderExtensionElement>) -> Self {
        for element in elements where element.id > 14 || element.data.isEmpty || element.data.count > 16 {
            return .twoByte
        }
        return .oneByte
    }
}
