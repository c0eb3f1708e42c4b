import BackendCore
import Enforcement
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the backend asks the gate service, one message each, on one connection per job.
///
/// The descriptors that come with ``admit(arguments:environment:spooled:)``: the backend's stderr
/// (the service writes the job's status lines to it, as the backend would, so `lpstat -l` shows
/// them), then, when `spooled`, the spool file of what came on stdin (rewound).
enum GateRequest: Codable, Sendable {
    /// Decide the job cupsd started the backend for with these argv and environment.
    case admit(arguments: [String], environment: [String], spooled: Bool)
    /// What the real backend has reported so far (evidence if the backend dies).
    case printing(report: PrinterStatusReport, scheme: String)
    /// The real backend has ended: settle or refund.
    case finish(run: RealBackendRun)
}

/// The service's answers.
enum GateReply: Codable, Sendable {
    /// The verdict on the job and, when it may print, what settles it (kept by the backend in
    /// case the service is gone by the end of the job).
    case verdict(GateVerdict, admitted: AdmittedJob?)
    /// The job is settled (or refunded) and its status lines written.
    case finished
}

extension GateSocket {
    func send<Message: Encodable>(_ message: Message, fds: [Int32] = []) throws(GateServiceError) {
        let bytes: [UInt8]
        do { bytes = Array(try JSONEncoder().encode(message)) } catch { throw .protocolViolation("cannot encode \(Message.self): \(error)") }
        try send(bytes, fds: fds)
    }

    /// The next message, its descriptors (the caller owns them), or nil when the peer has gone.
    func receive<Message: Decodable>(_ type: Message.Type) throws(GateServiceError) -> (Message, [Int32])? {
        guard let (bytes, fds) = try receive() else { return nil }
        do {
            return (try JSONDecoder().decode(Message.self, from: Data(bytes)), fds)
        } catch {
            fds.forEach { Glibc.close($0) }
            throw .protocolViolation("not a \(Message.self): \(error)")
        }
    }
}
