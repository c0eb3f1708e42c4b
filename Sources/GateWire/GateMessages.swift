import BackendCore

/// What the backend asks the gate service, one message each, on one connection per job.
///
/// The descriptors that come with ``admit(arguments:environment:spooled:)``: the backend's stderr
/// (the service writes the job's status lines to it, as the backend would, so `lpstat -l` shows
/// them), then, when `spooled`, the spool file of what came on stdin (rewound).
public enum GateRequest: Equatable, Sendable {
    /// Decide the job cupsd started the backend for with these argv and environment.
    case admit(arguments: [String], environment: [String], spooled: Bool)
    /// What the real backend has reported so far (evidence if the backend dies).
    case printing(report: PrinterStatusReport, scheme: String)
    /// The real backend has ended: settle or refund.
    case finish(run: RealBackendRun)
}

/// The service's answers.
public enum GateReply: Equatable, Sendable {
    /// The verdict on the job and, when it may print, what settles it: the service's
    /// `AdmittedJob` as it encodes it, kept by the backend (without reading it) for the gate
    /// program that settles the job if the service is gone by then.
    case verdict(GateVerdict, admitted: [UInt8]?)
    /// The job is settled (or refunded) and its status lines written.
    case finished
}

// The wire format: one datagram a message, written and read by ``WireWriter`` and ``WireReader``
// (no Foundation: the backend that speaks it starts once per job).

extension GateRequest {
    public var encoded: [UInt8] {
        var w = WireWriter()
        switch self {
        case .admit(let arguments, let environment, let spooled):
            w.tag(1); w.strings(arguments); w.strings(environment); w.bool(spooled)
        case .printing(let report, let scheme):
            w.tag(2); w.report(report); w.string(scheme)
        case .finish(let run):
            w.tag(3); w.run(run)
        }
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(GateWireError) {
        var r = WireReader(bytes)
        switch try r.tag() {
        case 1: self = .admit(arguments: try r.strings(), environment: try r.strings(), spooled: try r.bool())
        case 2: self = .printing(report: try r.report(), scheme: try r.string())
        case 3: self = .finish(run: try r.run())
        case let tag: throw .protocolViolation("no request has tag \(tag)")
        }
        try r.end()
    }
}

extension GateReply {
    public var encoded: [UInt8] {
        var w = WireWriter()
        switch self {
        case .verdict(let verdict, let admitted):
            w.tag(1); w.verdict(verdict); w.optionalBytes(admitted)
        case .finished:
            w.tag(2)
        }
        return w.bytes
    }

    public init(decoding bytes: [UInt8]) throws(GateWireError) {
        var r = WireReader(bytes)
        switch try r.tag() {
        case 1: self = .verdict(try r.verdict(), admitted: try r.optionalBytes())
        case 2: self = .finished
        case let tag: throw .protocolViolation("no reply has tag \(tag)")
        }
        try r.end()
    }
}

extension RealBackendRun {
    /// The run as hexadecimal wire bytes: how the backend hands it to the gate program that
    /// settles a job for a service that went away (`TOLLGATE_RESUME_RUN`).
    public var hexEncoded: String {
        var w = WireWriter()
        w.run(self)
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: w.bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    public init(hexEncoded text: String) throws(GateWireError) {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { throw .protocolViolation("odd hexadecimal run") }
        func value(_ c: UInt8) throws(GateWireError) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            default: throw .protocolViolation("not hexadecimal")
            }
        }
        var bytes: [UInt8] = []
        var index = 0
        while index < digits.count {
            bytes.append(try value(digits[index]) << 4 | value(digits[index + 1]))
            index += 2
        }
        var r = WireReader(bytes)
        self = try r.run()
        try r.end()
    }
}
