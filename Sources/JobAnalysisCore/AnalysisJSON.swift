// The JSON that `tollgate-analyse --json` prints and the backend reads, without Foundation.
//
// Both ends run once per job: Foundation's JSONEncoder/JSONDecoder made `tollgate-analyse` link
// FoundationEssentials (a bigger binary to map and relocate at every start) and cost the backend
// about 2.7 million instructions per job, mostly the Swift runtime resolving Codable generics for
// the first time. The shape is exactly the Codable one (property names as keys, enums as raw
// values, absent optionals omitted), so JSONDecoder still reads it and the types stay Codable for
// the CLI. The reader is strict, bounded in depth, and treats anything unexpected as an error:
// its input comes from a process that parsed a hostile document.

// MARK: - Writing

extension JobAnalysis {
    /// The analysis as one line of JSON (keys sorted), or `nil` if a number is not finite.
    public var jsonText: String? {
        var w = JSONWriter()
        w.object { o in
            if let application { o.key("application") { $0.application(application) } }
            if let failure { o.key("failure") { $0.failure(failure) } }
            o.key("format") { $0.string(format.rawValue) }
            if let formatReason { o.key("formatReason") { $0.string(formatReason) } }
            o.key("output") { $0.output(output) }
            if let pageCount { o.key("pageCount") { $0.int(pageCount) } }
            o.key("pages") { w in w.array(pages) { $0.pageRun($1) } }
            o.key("provenance") { w in w.array(provenance) { $0.provenance($1) } }
            o.key("warnings") { w in w.array(warnings) { $0.string($1) } }
        }
        return w.failed ? nil : w.text
    }
}

struct JSONWriter {
    var text = ""
    var failed = false

    mutating func string(_ s: String) {
        text += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }

    mutating func int(_ v: Int) { text += String(v) }

    mutating func double(_ v: Double) {
        guard v.isFinite else { failed = true; text += "0"; return }
        text += v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }

    mutating func object(_ body: (inout ObjectWriter) -> Void) {
        var o = ObjectWriter(writer: self)
        text = ""  // o.writer now holds the only reference: appends stay in place
        o.writer.text += "{"
        body(&o)
        o.writer.text += "}"
        self = o.writer
    }

    mutating func array<T>(_ items: [T], _ element: (inout JSONWriter, T) -> Void) {
        text += "["
        for (i, item) in items.enumerated() {
            if i > 0 { text += "," }
            element(&self, item)
        }
        text += "]"
    }

    struct ObjectWriter {
        var writer: JSONWriter
        private var first = true

        init(writer: JSONWriter) { self.writer = writer }

        /// Keys must be given in sorted order.
        mutating func key(_ name: String, _ value: (inout JSONWriter) -> Void) {
            if !first { writer.text += "," }
            first = false
            writer.string(name)
            writer.text += ":"
            value(&writer)
        }
    }

    mutating func application(_ a: OriginatingApplication) {
        object { o in
            o.key("name") { $0.string(a.name) }
            o.key("raw") { $0.string(a.raw) }
            o.key("source") { $0.string(a.source.rawValue) }
        }
    }

    mutating func failure(_ f: AnalysisFailure) {
        object { o in
            o.key("detail") { $0.string(f.detail) }
            o.key("kind") { $0.string(f.kind.rawValue) }
            if let bound = f.pageBound {
                o.key("pageBound") { w in
                    w.object { o in
                        o.key("basis") { $0.string(bound.basis.rawValue) }
                        o.key("maxPages") { $0.int(bound.maxPages) }
                    }
                }
            }
        }
    }

    mutating func media(_ m: MediaSize) {
        object { o in
            o.key("heightPoints") { $0.double(m.heightPoints) }
            o.key("pwgName") { $0.string(m.pwgName) }
            o.key("widthPoints") { $0.double(m.widthPoints) }
        }
    }

    mutating func pageRun(_ r: PageRun) {
        object { o in
            o.key("colour") { $0.string(r.colour.rawValue) }
            o.key("colourMethod") { $0.string(r.colourMethod.rawValue) }
            o.key("firstPage") { $0.int(r.firstPage) }
            o.key("lastPage") { $0.int(r.lastPage) }
            o.key("media") { $0.media(r.media) }
        }
    }

    mutating func output(_ p: PrintedOutput) {
        object { o in
            o.key("colourMode") { $0.string(p.colourMode.rawValue) }
            o.key("copies") { $0.int(p.copies) }
            o.key("impressionTally") { w in
                w.array(p.impressionTally) { w, t in
                    w.object { o in
                        o.key("colour") { $0.string(t.colour.rawValue) }
                        o.key("impressions") { $0.int(t.impressions) }
                        o.key("media") { $0.string(t.media) }
                    }
                }
            }
            o.key("impressionsPerCopy") { $0.int(p.impressionsPerCopy) }
            o.key("numberUp") { $0.int(p.numberUp) }
            o.key("selectedPages") { $0.int(p.selectedPages) }
            o.key("sheetsPerCopy") { $0.int(p.sheetsPerCopy) }
            o.key("sides") { $0.string(p.sides.rawValue) }
            o.key("totalImpressions") { $0.int(p.totalImpressions) }
            o.key("totalSheets") { $0.int(p.totalSheets) }
        }
    }

    mutating func provenance(_ p: FigureProvenance) {
        object { o in
            if let detail = p.detail { o.key("detail") { $0.string(detail) } }
            o.key("figure") { $0.string(p.figure.rawValue) }
            o.key("method") { $0.string(p.method.rawValue) }
            o.key("milliseconds") { $0.double(p.milliseconds) }
        }
    }
}

// MARK: - Reading

extension JobAnalysis {
    /// Reads what ``jsonText`` (or JSONEncoder) wrote. Throws a description of the first problem.
    public init(json bytes: [UInt8]) throws(JSONReadError) {
        var parser = JSONParser(bytes: bytes)
        let root = try parser.document()
        let o = try root.object("the analysis")
        self.init(format: try o.enumeration("format", DocumentFormat.self),
                  formatReason: try o.optionalString("formatReason"),
                  pageCount: try o.optionalInt("pageCount"),
                  pages: try o.array("pages").map { v throws(JSONReadError) in try PageRun(json: v.object("a page run")) },
                  application: try o.optional("application").map { v throws(JSONReadError) in
                      try OriginatingApplication(json: v.object("application"))
                  },
                  output: try PrintedOutput(json: o.required("output").object("output")),
                  provenance: try o.array("provenance").map { v throws(JSONReadError) in
                      try FigureProvenance(json: v.object("a provenance entry"))
                  },
                  warnings: try o.array("warnings").map { v throws(JSONReadError) in try v.string("a warning") },
                  failure: try o.optional("failure").map { v throws(JSONReadError) in try AnalysisFailure(json: v.object("failure")) })
        // A count and a failure contradict each other; so do neither.
        guard (pageCount == nil) == (failure != nil) else {
            throw JSONReadError(description: pageCount == nil ? "no page count and no failure" : "both a page count and a failure")
        }
    }
}

extension AnalysisFailure {
    init(json o: JSONObject) throws(JSONReadError) {
        self.init(kind: try o.enumeration("kind", Kind.self), detail: try o.string("detail"),
                  pageBound: try o.optional("pageBound").map { v throws(JSONReadError) in
                      let b = try v.object("pageBound")
                      let maxPages = try b.int("maxPages")
                      guard maxPages >= 0 else { throw JSONReadError(description: "\"maxPages\" is negative") }
                      return PageBound(maxPages: maxPages, basis: try b.enumeration("basis", PageBound.Basis.self))
                  })
    }
}

extension PageRun {
    init(json o: JSONObject) throws(JSONReadError) {
        self.init(firstPage: try o.int("firstPage"), lastPage: try o.int("lastPage"),
                  media: try MediaSize(json: o.required("media").object("media")),
                  colour: try o.enumeration("colour", PageColour.self),
                  colourMethod: try o.enumeration("colourMethod", ColourMethod.self))
    }
}

extension MediaSize {
    init(json o: JSONObject) throws(JSONReadError) {
        self.init(widthPoints: try o.double("widthPoints"), heightPoints: try o.double("heightPoints"),
                  pwgName: try o.string("pwgName"))
    }
}

extension OriginatingApplication {
    init(json o: JSONObject) throws(JSONReadError) {
        self.init(name: try o.string("name"), raw: try o.string("raw"), source: try o.enumeration("source", ApplicationSource.self))
    }
}

extension PrintedOutput {
    init(json o: JSONObject) throws(JSONReadError) {
        self.init(copies: try o.int("copies"), numberUp: try o.int("numberUp"),
                  sides: try o.enumeration("sides", JobOptions.Sides.self),
                  colourMode: try o.enumeration("colourMode", JobOptions.ColourMode.self),
                  selectedPages: try o.int("selectedPages"), impressionsPerCopy: try o.int("impressionsPerCopy"),
                  sheetsPerCopy: try o.int("sheetsPerCopy"),
                  impressionTally: try o.array("impressionTally").map { v throws(JSONReadError) in
                      let t = try v.object("an impression tally")
                      return ImpressionTally(media: try t.string("media"), colour: try t.enumeration("colour", PageColour.self),
                                             impressions: try t.int("impressions"))
                  })
        // The totals are derived; a writer that disagrees with itself is not trusted.
        guard totalImpressions == (try o.int("totalImpressions")), totalSheets == (try o.int("totalSheets")) else {
            throw JSONReadError(description: "output totals do not match copies × per-copy figures")
        }
    }
}

extension FigureProvenance {
    init(json o: JSONObject) throws(JSONReadError) {
        self.init(figure: try o.enumeration("figure", Figure.self), method: try o.enumeration("method", AnalysisMethod.self),
                  milliseconds: try o.double("milliseconds"), detail: try o.optionalString("detail"))
    }
}

/// Why a JSON text is not a job analysis.
public struct JSONReadError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// A parsed JSON value. Objects keep their members in order (they are small).
enum JSONValue {
    case null
    case bool(Bool)
    /// The number's text, checked against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    func object(_ what: String) throws(JSONReadError) -> JSONObject {
        guard case .object(let o) = self else { throw JSONReadError(description: "\(what) is not an object") }
        return o
    }

    func string(_ what: String) throws(JSONReadError) -> String {
        guard case .string(let s) = self else { throw JSONReadError(description: "\(what) is not a string") }
        return s
    }
}

struct JSONObject {
    var members: [(String, JSONValue)]

    func optional(_ key: String) -> JSONValue? {
        for (k, v) in members where k == key {
            if case .null = v { return nil }
            return v
        }
        return nil
    }

    func required(_ key: String) throws(JSONReadError) -> JSONValue {
        guard let v = optional(key) else { throw JSONReadError(description: "\"\(key)\" is missing") }
        return v
    }

    func string(_ key: String) throws(JSONReadError) -> String { try required(key).string("\"\(key)\"") }

    func optionalString(_ key: String) throws(JSONReadError) -> String? { try optional(key)?.string("\"\(key)\"") }

    func int(_ key: String) throws(JSONReadError) -> Int {
        guard case .number(let text) = try required(key), let v = Int(text) else {
            throw JSONReadError(description: "\"\(key)\" is not an integer")
        }
        return v
    }

    func optionalInt(_ key: String) throws(JSONReadError) -> Int? {
        guard optional(key) != nil else { return nil }
        return try int(key)
    }

    func double(_ key: String) throws(JSONReadError) -> Double {
        guard case .number(let text) = try required(key), let v = Double(text), v.isFinite else {
            throw JSONReadError(description: "\"\(key)\" is not a number")
        }
        return v
    }

    func array(_ key: String) throws(JSONReadError) -> [JSONValue] {
        guard case .array(let items) = try required(key) else { throw JSONReadError(description: "\"\(key)\" is not an array") }
        return items
    }

    func enumeration<E: RawRepresentable>(_ key: String, _ type: E.Type) throws(JSONReadError) -> E where E.RawValue == String {
        let raw = try string(key)
        guard let value = E(rawValue: raw) else { throw JSONReadError(description: "\"\(key)\" has an unknown value \"\(raw)\"") }
        return value
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes, at most `maxDepth` nested arrays/objects deep.
struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    let maxDepth = 32

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(JSONReadError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw error("text after the JSON value") }
        return value
    }

    private func error(_ what: String) -> JSONReadError {
        JSONReadError(description: "\(what) at byte \(index)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func expect(_ literal: StaticString) throws(JSONReadError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("truncated literal") }
        for i in 0..<count where bytes[index + i] != literal.utf8Start[i] { throw error("invalid literal") }
        index += count
    }

    private mutating func parseValue(depth: Int) throws(JSONReadError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nested too deeply") }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(members: members)) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                let value = try parseValue(depth: depth + 1)
                if members.contains(where: { $0.0 == key }) { throw error("duplicate key \"\(key)\"") }
                members.append((key, value))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(JSONObject(members: members)) }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true"); return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false"); return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null"); return .null
        default:
            return .number(try parseNumber())
        }
    }

    private mutating func parseNumber() throws(JSONReadError) -> String {
        let start = index
        func digit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, digit(bytes[index]) else { throw error("invalid value") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, digit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, digit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, digit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, digit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, digit(bytes[index]) { index += 1 }
        }
        guard index - start <= 64 else { throw error("number too long") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseHex4() throws(JSONReadError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    /// At the opening quote.
    private mutating func parseString() throws(JSONReadError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flushRun(_ end: Int) throws(JSONReadError) {
            guard runStart < end else { return }
            // Raw bytes must be valid UTF-8 (the check fails on replacement).
            let run = bytes[runStart..<end]
            guard let text = String(validating: run, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
            scalars.append(contentsOf: text.unicodeScalars)
        }
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                try flushRun(index)
                index += 1
                return String(scalars)
            }
            if b < 0x20 { throw error("control character in a string") }
            if b != UInt8(ascii: "\\") { index += 1; continue }
            try flushRun(index)
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                scalars.append(scalar)
            default:
                throw error("invalid escape")
            }
            runStart = index
        }
    }
}
