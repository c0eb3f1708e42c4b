import BackendCore

/// Writes the gate's wire format: a tag byte per message, then fields in a fixed order;
/// integers as 8 bytes little-endian, a string as its UTF-8 length and bytes, an optional as a
/// presence byte first.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func tag(_ value: UInt8) { bytes.append(value) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    mutating func int(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func string(_ value: String) {
        int(Int64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }
    mutating func strings(_ values: [String]) {
        int(Int64(values.count))
        values.forEach { string($0) }
    }
    mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }
    mutating func optionalBytes(_ value: [UInt8]?) {
        bool(value != nil)
        if let value {
            int(Int64(value.count))
            bytes.append(contentsOf: value)
        }
    }

    mutating func report(_ report: PrinterStatusReport) {
        bool(report.allDataSent)
        bool(report.documentRefused)
        bool(report.printerImpressions != nil)
        if let count = report.printerImpressions { int(Int64(count)) }
        optionalString(report.printerJobEnd?.rawValue)
    }

    mutating func run(_ run: RealBackendRun) {
        switch run.termination {
        case .exited(let code): tag(0); int(Int64(code))
        case .signaled(let signal, let cancelled): tag(1); int(Int64(signal)); bool(cancelled)
        }
        bool(run.cancelled)
        string(run.scheme)
        report(run.report)
    }

    mutating func verdict(_ verdict: GateVerdict) {
        switch verdict {
        case .forward(let reservation, let options): tag(0); optionalString(reservation); optionalString(options)
        case .hold(let jobState, let message): tag(1); string(jobState); string(message)
        case .refuse(let code, let message): tag(2); int(Int64(code.rawValue)); string(message)
        }
    }
}

/// Reads what ``WireWriter`` wrote; anything short, long or out of range is a protocol violation
/// (the message is refused, never half read).
struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    private mutating func take(_ count: Int) throws(GateWireError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count - offset else { throw .protocolViolation("message cut short") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    mutating func tag() throws(GateWireError) -> UInt8 { try take(1).first! }
    mutating func bool() throws(GateWireError) -> Bool {
        switch try tag() {
        case 0: return false
        case 1: return true
        default: throw .protocolViolation("not a boolean")
        }
    }
    mutating func int() throws(GateWireError) -> Int64 {
        var value: Int64 = 0
        for (index, byte) in try take(8).enumerated() { value |= Int64(byte) << (8 * index) }
        return value
    }
    mutating func length() throws(GateWireError) -> Int {
        let value = try int()
        guard value >= 0, value <= Int64(bytes.count - offset) else { throw .protocolViolation("length out of range") }
        return Int(value)
    }
    mutating func int32() throws(GateWireError) -> Int32 {
        let value = try int()
        guard let narrow = Int32(exactly: value) else { throw .protocolViolation("integer out of range") }
        return narrow
    }
    mutating func string() throws(GateWireError) -> String {
        String(decoding: try take(try length()), as: UTF8.self)
    }
    mutating func strings() throws(GateWireError) -> [String] {
        let count = try length()
        var values: [String] = []
        for _ in 0..<count { values.append(try string()) }
        return values
    }
    mutating func optionalString() throws(GateWireError) -> String? {
        try bool() ? try string() : nil
    }
    mutating func optionalBytes() throws(GateWireError) -> [UInt8]? {
        try bool() ? Array(try take(try length())) : nil
    }
    func end() throws(GateWireError) {
        guard offset == bytes.count else { throw .protocolViolation("\(bytes.count - offset) bytes after the message") }
    }

    mutating func report() throws(GateWireError) -> PrinterStatusReport {
        var report = PrinterStatusReport()
        report.allDataSent = try bool()
        report.documentRefused = try bool()
        if try bool() {
            guard let count = Int(exactly: try int()) else { throw .protocolViolation("impressions out of range") }
            report.printerImpressions = count
        }
        if let end = try optionalString() {
            guard let value = PrinterJobEnd(rawValue: end) else { throw .protocolViolation("no job end \(end)") }
            report.printerJobEnd = value
        }
        return report
    }

    mutating func run() throws(GateWireError) -> RealBackendRun {
        let termination: RealBackendTermination = switch try tag() {
        case 0: .exited(try int32())
        case 1: .signaled(try int32(), cancelled: try bool())
        case let tag: throw .protocolViolation("no termination has tag \(tag)")
        }
        return RealBackendRun(termination: termination, cancelled: try bool(), scheme: try string(), report: try report())
    }

    mutating func verdict() throws(GateWireError) -> GateVerdict {
        switch try tag() {
        case 0: return .forward(reservation: try optionalString(), options: try optionalString())
        case 1: return .hold(jobState: try string(), message: try string())
        case 2:
            guard let code = BackendExitCode(rawValue: try int32()) else { throw .protocolViolation("no backend exit code") }
            return .refuse(exitCode: code, message: try string())
        case let tag: throw .protocolViolation("no verdict has tag \(tag)")
        }
    }
}
