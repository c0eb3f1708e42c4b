import BackendCore
import Testing
@testable import GateWire

/// The gate's wire: every message reads back as written, and a message cut short, lengthened or
/// made of random bytes is refused with an error, never half read and never a crash.
@Suite struct GateWireTests {
    static var report: PrinterStatusReport {
        var report = PrinterStatusReport()
        report.allDataSent = true
        report.printerImpressions = 7
        report.printerJobEnd = .aborted
        return report
    }

    static let requests: [GateRequest] = [
        .admit(arguments: ["tollgate:ipp://p/ipp/print", "42", "alice", "Thesis — ünïcode \u{0}", "1", "sides=two-sided-long-edge"],
               environment: ["PRINTER=lab", "EMPTY="], spooled: true),
        .admit(arguments: [], environment: [], spooled: false),
        .printing(report: report, scheme: "socket"),
        .printing(report: PrinterStatusReport(), scheme: ""),
        .finish(run: RealBackendRun(termination: .exited(0), cancelled: false, scheme: "ipp", report: report)),
        .finish(run: RealBackendRun(termination: .signaled(15, cancelled: true), cancelled: true, scheme: "lpd")),
    ]
    static let replies: [GateReply] = [
        .verdict(.forward(reservation: "north/42/1700000000", options: "print-color-mode=monochrome"), admitted: Array("{\"a\":1}".utf8)),
        .verdict(.forward(reservation: nil, options: nil), admitted: nil),
        .verdict(.hold(jobState: "account-limit-reached", message: "Tollgate: not printed yet"), admitted: nil),
        .verdict(.refuse(exitCode: .retry, message: "Tollgate: busy"), admitted: []),
        .finished,
    ]

    @Test(arguments: requests) func requestsReadBackAsWritten(_ request: GateRequest) throws {
        #expect(try GateRequest(decoding: request.encoded) == request)
    }

    @Test(arguments: replies) func repliesReadBackAsWritten(_ reply: GateReply) throws {
        #expect(try GateReply(decoding: reply.encoded) == reply)
    }

    @Test func aRunPassesThroughItsHexadecimalForm() throws {
        for case .finish(let run) in Self.requests {
            #expect(try RealBackendRun(hexEncoded: run.hexEncoded) == run)
        }
        #expect(throws: GateWireError.self) { try RealBackendRun(hexEncoded: "0g") }
        #expect(throws: GateWireError.self) { try RealBackendRun(hexEncoded: "000") }
    }

    @Test func everyCutOrLengthenedMessageIsRefused() {
        for request in Self.requests {
            let bytes = request.encoded
            for length in 0..<bytes.count {
                #expect(throws: GateWireError.self) { try GateRequest(decoding: Array(bytes.prefix(length))) }
            }
            #expect(throws: GateWireError.self) { try GateRequest(decoding: bytes + [0]) }
        }
        for reply in Self.replies {
            let bytes = reply.encoded
            for length in 0..<bytes.count {
                #expect(throws: GateWireError.self) { try GateReply(decoding: Array(bytes.prefix(length))) }
            }
        }
    }

    @Test func randomBytesNeverCrashTheReader() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? GateRequest(decoding: bytes)
            _ = try? GateReply(decoding: bytes)
            // A huge length must be refused, not allocated.
            _ = try? GateRequest(decoding: [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f] + bytes)
        }
    }
}
