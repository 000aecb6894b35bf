/// The header extension block of an RTP packet (RFC 3550 §5.3.1), read as RFC 8285 elements.
///
/// Parsed blocks are a view into the packet (no copy, no per-element allocation); iterate them
/// or look up one element by ID. A block with a profile other than 0xBEDE / 0x100X is kept but
/// yields no elements.
public struct RTPHeaderExtensions: Sendable, Equatable, Sequence {
    /// The 16-bit "defined by profile" field: 0xBEDE, 0x100X, or something unknown.
    public let profile: UInt16
    /// The extension data after the 4-byte block header, including any padding.
    public let body: ArraySlice<UInt8>

    /// No extension block.
    public static let none = RTPHeaderExtensions(uncheckedProfile: 0, body: [])

    /// Whether the packet carries an extension block at all (the X bit).
    public var isPresent: Bool { profile != 0 || !body.isEmpty }

    public var form: RTPHeaderExtensionForm? {
        if profile == 0xBEDE { return .oneByte }
        if profile & 0xFFF0 == 0x1000 { return .twoByte }
        return nil
    }

    init(uncheckedProfile profile: UInt16, body: ArraySlice<UInt8>) {
        self.profile = profile
        self.body = body
    }

    /// Wraps a received block after checking every element fits inside it (RFC 8285 §4).
    init(parsingProfile profile: UInt16, body: ArraySlice<UInt8>) throws(RTCError) {
        self.init(uncheckedProfile: profile, body: body)
        guard form != nil else { return }
        var iterator = makeIterator()
        while iterator.next() != nil {}
        if iterator.malformed { throw RTPWire.malformed("RTP header extension element overruns its block") }
    }

    /// Encodes `elements` into a block of the given form (the smallest that fits by default).
    public init(elements: [RTPHeaderExtensionElement], form: RTPHeaderExtensionForm? = nil) throws(RTCError) {
        let chosen = form ?? .fitting(elements)
        var body: [UInt8] = []
        body.reserveCapacity(elements.reduce(0) { $0 + $1.data.count + 2 } + 3)
        for element in elements {
            try Self.appendElement(element, form: chosen, to: &body)
        }
        RTPWire.padToWord(&body, from: 0)
        guard body.count / 4 <= Int(UInt16.max) else { throw RTCError(.invalidState, "RTP header extension too long") }
        self.init(uncheckedProfile: chosen == .oneByte ? 0xBEDE : 0x1000, body: body[...])
    }

    /// Appends one element's encoding (no block header, no padding) to `buffer`.
    static func appendElement(
        _ element: RTPHeaderExtensionElement, form: RTPHeaderExtensionForm, to buffer: inout [UInt8]
    ) throws(RTCError) {
        switch form {
        case .oneByte:
            // RFC 8285 §4.2: ID 15 is reserved, length is stored minus one.
            guard (1...14).contains(element.id), (1...16).contains(element.data.count) else {
                throw RTCError(.invalidState, "extension \(element.id) does not fit the one-byte form")
            }
            buffer.append(element.id << 4 | UInt8(element.data.count - 1))
        case .twoByte:
            guard element.id >= 1, element.data.count <= 255 else {
                throw RTCError(.invalidState, "extension \(element.id) does not fit the two-byte form")
            }
            buffer.append(element.id)
            buffer.append(UInt8(element.data.count))
        }
        buffer.append(contentsOf: element.data)
    }

    /// The data of the first element with `id`, if present.
    public func element(id: UInt8) -> ArraySlice<UInt8>? {
        for element in self where element.id == id { return element.data }
        return nil
    }

    public func makeIterator() -> Iterator { Iterator(body: body, form: form) }

    /// Walks the elements, skipping padding; stops at the end, at ID 15 (one-byte form), or at a malformed element.
    public struct Iterator: IteratorProtocol {
        let body: ArraySlice<UInt8>
        let form: RTPHeaderExtensionForm?
        var index: Int
        private(set) var malformed = false

        init(body: ArraySlice<UInt8>, form: RTPHeaderExtensionForm?) {
            self.body = body
            self.form = form
            self.index = form == nil ? body.endIndex : body.startIndex
        }

        public mutating func next() -> RTPHeaderExtensionElement? {
            while index < body.endIndex {
                let first = body[index]
                if first == 0 {  // RFC 8285 §4.1: padding bytes between elements
                    index += 1
                    continue
                }
                let id: UInt8
                let length: Int
                let dataStart: Int
                if form == .oneByte {
                    id = first >> 4
                    if id == 0 {  // RFC 8285 §4.2: ID 0 is padding, one byte long
                        index += 1
                        continue
                    }
                    if id == 15 {  // RFC 8285 §4.2: stop processing the block
                        index = body.endIndex
                        return nil
                    }
                    length = Int(first & 0x0F) + 1
                    dataStart = index + 1
                } else {
                    guard index + 1 < body.endIndex else { return fail() }
                    id = first
                    length = Int(body[index + 1])
                    dataStart = index + 2
                }
                guard dataStart + length <= body.endIndex else { return fail() }
                index = dataStart + length
                return RTPHeaderExtensionElement(id: id, data: body[dataStart..<(dataStart + length)])
            }
            return nil
        }

        private mutating func fail() -> RTPHeaderExtensionElement? {
            malformed = true
            index = body.endIndex
            return nil
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.profile == rhs.profile && lhs.body.elementsEqual(rhs.body)
    }
}
