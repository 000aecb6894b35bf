import CYaml
import Yams

/// Bounds on a YAML document read from outside (agent files, `steadfast.yaml`).
///
/// YAML aliases share a node instead of copying it, so a 1 KB file of nested anchors
/// (`b: &b [*a, *a, …]`, nine levels) stands for billions of nodes; anything that walks or hashes
/// the tree (Yams' duplicate-key check hashes every mapping key) then runs without end.
public struct YAMLLimits: Sendable, Equatable {
    /// Largest document, in bytes of UTF-8.
    public var maxBytes: Int
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int
    /// Most nodes the document may stand for once every alias is expanded.
    public var maxExpandedNodes: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxExpandedNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxExpandedNodes = maxExpandedNodes
    }

    /// 1 MiB, 64 levels, 100 000 nodes: far beyond any hand-written configuration.
    public static let standard = YAMLLimits()
}

/// Composes YAML into Yams' `Node` tree only after libyaml's event stream has shown that the
/// document stays within `YAMLLimits`, so no input can make composing or walking it unbounded.
public enum YAMLDocument {
    /// The root node of `text` (nil for an empty document), or a one-line `ConfigError`
    /// "`<file> line N: …`" (without the file when `file` is nil).
    public static func compose(_ text: String, file: String?, limits: YAMLLimits = .standard) throws(ConfigError) -> Node? {
        let prefix = file.map { "\($0) " } ?? ""
        func failure(_ line: Int?, _ detail: String) -> ConfigError {
            ConfigError(.invalid, prefix + (line.map { "line \($0): " } ?? "") + detail)
        }
        let size = text.utf8.count
        guard size <= limits.maxBytes else {
            throw failure(nil, "the file is \(size) bytes; the limit is \(limits.maxBytes) bytes")
        }
        if let problem = scan(text, limits: limits) { throw failure(problem.line, problem.detail) }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw failure(nil, "not valid YAML: " + oneLine(error))
        } catch {
            throw failure(nil, "not valid YAML: " + "\(error)".escapingUnprintable)
        }
    }

    struct Problem: Equatable {
        var line: Int?
        var detail: String
    }

    /// Walks libyaml's events (iteratively: no recursion on nesting) and reports the first limit
    /// broken or syntax error, or nil when the document is within `limits`.
    static func scan(_ text: String, limits: YAMLLimits) -> Problem? {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes.append(0x0A) }
        return bytes.withUnsafeBufferPointer { buffer -> Problem? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return Problem(line: nil, detail: "out of memory") }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var counter = ExpansionCounter(limits: limits)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return syntaxProblem(parser) }
                defer { yaml_event_delete(&event) }
                let line = Int(clamping: event.start_mark.line) + 1
                if let detail = counter.handle(event) { return Problem(line: line, detail: detail) }
                if event.type == YAML_STREAM_END_EVENT { return nil }
            }
        }
    }

    private static func syntaxProblem(_ parser: yaml_parser_t) -> Problem {
        let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
        let context = parser.context.map { " " + String(cString: $0) } ?? ""
        let line = Int(clamping: parser.problem_mark.line) + 1
        let column = Int(clamping: parser.problem_mark.column) + 1
        return Problem(line: line, detail: "not valid YAML: \(problem)\(context) (column \(column))".escapingUnprintable)
    }

    /// Yams' errors quote the offending line with a caret under it; keep the first line only.
    private static func oneLine(_ error: YamlError) -> String {
        let text = "\(error)"
        return String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? Substring(text))
            .escapingUnprintable
    }
}

/// Sizes of subtrees with aliases expanded, computed from the event stream without expanding.
private struct ExpansionCounter {
    struct Frame {
        var anchor: String?
        var size = 1
    }

    let limits: YAMLLimits
    var stack: [Frame] = []
    /// Expanded size of each anchored node (a later anchor of the same name shadows the earlier one).
    var anchors: [String: Int] = [:]
    var documentSize = 0

    init(limits: YAMLLimits) { self.limits = limits }

    /// An error detail when this event breaks a limit.
    mutating func handle(_ event: yaml_event_t) -> String? {
        switch event.type {
        case YAML_SCALAR_EVENT:
            return add(1, anchor: Self.string(event.data.scalar.anchor))
        case YAML_ALIAS_EVENT:
            // An unknown alias counts as one node; composing reports it as an error.
            let size = Self.string(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
            return add(size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let anchor = event.type == YAML_SEQUENCE_START_EVENT
                ? Self.string(event.data.sequence_start.anchor) : Self.string(event.data.mapping_start.anchor)
            stack.append(Frame(anchor: anchor))
            guard stack.count <= limits.maxDepth else {
                return "nested more than \(limits.maxDepth) levels deep (the limit)"
            }
            return nil
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return nil }
            return add(frame.size, anchor: frame.anchor)
        case YAML_DOCUMENT_START_EVENT:
            documentSize = 0
            return nil
        default:
            return nil
        }
    }

    private mutating func add(_ size: Int, anchor: String?) -> String? {
        if let anchor { anchors[anchor] = size }
        let total: Int
        if stack.isEmpty {
            let sum = documentSize.addingReportingOverflow(size)
            documentSize = sum.overflow ? Int.max : sum.partialValue
            total = documentSize
        } else {
            let sum = stack[stack.count - 1].size.addingReportingOverflow(size)
            total = sum.overflow ? Int.max : sum.partialValue
            stack[stack.count - 1].size = total
        }
        guard total <= limits.maxExpandedNodes, size <= limits.maxExpandedNodes else {
            return "aliases (*name) expand to more than \(limits.maxExpandedNodes) nodes (the limit); "
                + "is this a YAML alias bomb?"
        }
        return nil
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }
}
