extension SessionDescription {
    /// The document as text with CRLF line endings (RFC 8866 §5), lines in the RFC's order.
    public func serialized() -> String {
        var lines = ["v=0", "o=\(origin.sdpValue)", "s=\(sessionName)"]
        lines += otherLines.filter { "iuep".contains($0.type) }.map { "\($0.type)=\($0.value)" }
        if let connection { lines.append("c=\(connection.sdpValue)") }
        lines += bandwidths.map { "b=\($0)" }
        lines += timing.map { "t=\($0)" }
        lines += otherLines.filter { "rzk".contains($0.type) }.map { "\($0.type)=\($0.value)" }
        lines += attributes.map { "a=\($0.sdpText)" }
        for section in media {
            lines.append("m=\(section.mediaLine)")
            lines += section.otherLines.filter { $0.type == "i" }.map { "i=\($0.value)" }
            lines += section.connections.map { "c=\($0.sdpValue)" }
            lines += section.bandwidths.map { "b=\($0)" }
            lines += section.otherLines.filter { $0.type != "i" }.map { "\($0.type)=\($0.value)" }
            lines += section.attributes.map { "a=\($0.sdpText)" }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
