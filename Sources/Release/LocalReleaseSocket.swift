import Foundation
import QuotaDB

/// The local socket through which users at a terminal list and release their own jobs with
/// `tollgate jobs|release|delete|active`, without write access to the database or cupsd's
/// `@SYSTEM` rights.
///
/// `tollgated` listens on a Unix domain socket (mode 0666) and knows each caller by the kernel's
/// SO_PEERCRED: the user cannot claim another name. One JSON request per connection, one JSON
/// answer. Requests are read with a size limit and a timeout; a malformed request gets an error
/// answer, never a crash.
public enum LocalReleaseSocket {
    /// `/run/tollgate/tollgated.sock`.
    public static let defaultPath = "/run/tollgate/tollgated.sock"
    /// Requests are small; anything larger is refused.
    static let maximumRequest = 16 * 1024
    /// How long the server waits for a whole request, and for its answer to be taken.
    public static let requestTimeout = 5

    /// What a user asks for.
    public struct Request: Codable, Sendable {
        public enum Operation: String, Codable, Sendable { case jobs, release, delete, active, setActive, redeem }
        public var operation: Operation
        public var jobs: [Int]?
        public var all: Bool?
        public var account: String?
        public var queue: String?
        /// With `setActive`: clear the active account (charge the wallet only).
        public var walletOnly: Bool?
        /// With `redeem`: the voucher code as typed.
        public var code: String?
    }

    /// One job's outcome, in words.
    public struct Outcome: Codable, Sendable {
        public var ok: Bool
        public var message: String

        public init(ok: Bool, message: String) {
            self.ok = ok
            self.message = message
        }

        /// The outcome's sentence, as every front end says it.
        public init(_ outcome: JobOutcome) {
            self.init(ok: outcome.succeeded, message: outcome.sentence)
        }
    }

    /// The answer.
    public struct Response: Codable, Sendable {
        public var error: String?
        public var jobs: [HeldJobSummary]?
        public var outcomes: [Outcome]?
        public var active: String?
        public var usableAccounts: [String]?
    }
}

/// Serves ``LocalReleaseSocket`` requests with a ``ReleaseService``, each as the peer's Unix user.
public final class LocalReleaseServer: @unchecked Sendable {
    /// Requests answered at once (one thread each); further connections wait in the listen queue.
    public static let maximumConnections = 32
    /// Requests of one Unix user answered at once; more get "busy" at once. A local user who opens
    /// connections and sends nothing holds at most this many threads, each for at most
    /// ``LocalReleaseSocket/requestTimeout``, and cannot keep other users out.
    public static let connectionsPerUser = 4

    public let path: String
    private let service: ReleaseService
    private let descriptor: Int32
    private let slots = DispatchSemaphore(value: LocalReleaseServer.maximumConnections)
    private let lock = NSLock()
    private var inFlight: [uid_t: Int] = [:]

    /// Binds and listens on `path` (replacing a stale socket file); mode 0666 so every local user
    /// can connect: who they are comes from the kernel, not from the request.
    public init(path: String, service: ReleaseService) throws {
        self.path = path
        self.service = service
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LocalSocketError.system("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw LocalSocketError.pathTooLong(path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o666) == 0, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw LocalSocketError.system("bind/listen \(path)", code)
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Accepts connections until the socket is closed; each is answered on its own thread, within
    /// ``maximumConnections`` at once and ``connectionsPerUser`` per user.
    public func run() {
        while true {
            slots.wait()
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                slots.signal()
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let uid = LocalReleaseServer.peerUID(connection)
            guard enter(uid) else {
                slots.signal()
                Thread { LocalReleaseServer.refuseAsBusy(connection) }.start()
                continue
            }
            let thread = Thread { [self] in
                answer(connection, uid: uid)
                close(connection)
                leave(uid)
                slots.signal()
            }
            thread.start()
        }
    }

    /// Answers "busy" without reading the request, then waits up to 200 ms for the client to hang
    /// up before closing: closing with its request unread would reset the connection and lose
    /// the answer.
    private static func refuseAsBusy(_ connection: Int32) {
        send(.init(error: "busy: you have \(connectionsPerUser) requests in progress; try again"), to: connection)
        shutdown(connection, Int32(SHUT_WR))
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var drained = 0
        while drained < LocalReleaseSocket.maximumRequest {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { break }
            drained += count
        }
        close(connection)
    }

    private func enter(_ uid: uid_t?) -> Bool {
        guard let uid else { return true }                              // answered with an error at once
        lock.lock()
        defer { lock.unlock() }
        guard inFlight[uid, default: 0] < LocalReleaseServer.connectionsPerUser else { return false }
        inFlight[uid, default: 0] += 1
        return true
    }

    private func leave(_ uid: uid_t?) {
        guard let uid else { return }
        lock.lock()
        defer { lock.unlock() }
        inFlight[uid, default: 1] -= 1
        if inFlight[uid] == 0 { inFlight[uid] = nil }
    }

    /// Starts ``run()`` on a background thread.
    public func start() {
        Thread { [self] in run() }.start()
    }

    private func answer(_ connection: Int32, uid: uid_t?) {
        let response: LocalReleaseSocket.Response
        if let user = uid.flatMap(LocalReleaseServer.userName(uid:)) {
            if let data = LocalReleaseServer.readRequest(connection),
               let request = try? JSONDecoder().decode(LocalReleaseSocket.Request.self, from: data) {
                response = handle(request, user: user)
            } else {
                response = .init(error: "malformed request")
            }
        } else {
            response = .init(error: "cannot tell who you are (no peer credentials)")
        }
        LocalReleaseServer.send(response, to: connection)
    }

    /// Writes `response`, giving up after ``LocalReleaseSocket/requestTimeout``.
    private static func send(_ response: LocalReleaseSocket.Response, to connection: Int32) {
        var timeout = timeval(tv_sec: LocalReleaseSocket.requestTimeout, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let data = try? JSONEncoder().encode(response) else { return }
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                // MSG_NOSIGNAL: a client that hung up is an error here, not a SIGPIPE that ends tollgated.
                let written = Glibc.send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Carries out `request` for `user` (from the kernel): only their own jobs and accounts.
    ///
    /// Everyone here is a user choosing for themselves (administrators, who can write the
    /// database, act on it directly): where the client setting turns account choice off, a
    /// release naming an account and any change of the active account are refused with the
    /// station's sentence, and nothing is released or changed.
    func handle(_ request: LocalReleaseSocket.Request, user: String) -> LocalReleaseSocket.Response {
        let choosing = (request.operation == .release && request.account != nil) || request.operation == .setActive
        if choosing && !service.usersMayChooseAccounts() {
            return .init(error: ReleaseError.accountChoiceOff.sentence)
        }
        do {
            switch request.operation {
            case .jobs:
                return .init(jobs: try service.heldJobs(for: user).map(HeldJobSummary.init))
            case .release:
                let targets = request.all == true ? try service.heldJobs(for: user).map(\.jobID) : (request.jobs ?? [])
                return .init(outcomes: targets.map {
                    .init(service.releaseOutcome(jobID: $0, by: user, account: request.account, on: request.queue, via: "cli"))
                })
            case .delete:
                return .init(outcomes: (request.jobs ?? []).map { .init(service.deleteOutcome(jobID: $0, by: user, via: "cli")) })
            case .redeem:
                do throws(ReleaseError) {
                    let entry = try service.redeemVoucher(request.code ?? "", for: user, via: "cli")
                    return .init(outcomes: [.init(ok: true, message: "voucher redeemed: \(entry.amount) added to your personal wallet, which now holds \(entry.balanceAfter)")])
                } catch {
                    return .init(outcomes: [.init(ok: false, message: "\(error)")])
                }
            case .active, .setActive:
                if request.operation == .setActive {
                    try service.setActiveAccount(request.walletOnly == true ? nil : request.account, for: user)
                }
                let summary = try service.summary(for: user, recent: 0)
                return .init(active: summary.balances.active.account?.name ?? "", usableAccounts: summary.usableAccounts.map(\.name))
            }
        } catch {
            return .init(error: "\(error)")
        }
    }

    /// The Unix uid at the other end, from SO_PEERCRED (`struct ucred`: pid, uid, gid).
    static func peerUID(_ connection: Int32) -> uid_t? {
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else { return nil }
        return credentials.1
    }

    /// The name of `uid` (thread-safe getpwuid_r).
    public static func userName(uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    /// One request line, read within ``LocalReleaseSocket/requestTimeout`` in all (a client that
    /// sends a byte now and then does not keep its thread longer).
    private static func readRequest(_ connection: Int32) -> Data? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(LocalReleaseSocket.requestTimeout) * 1_000_000_000
        while data.count <= LocalReleaseSocket.maximumRequest {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return nil }
            let left = deadline - now
            var timeout = timeval(tv_sec: Int(left / 1_000_000_000), tv_usec: Int(left % 1_000_000_000 / 1000))
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let count = read(connection, &buffer, buffer.count)
            if count < 0 { return nil }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            if buffer[0..<count].contains(0x0A) { return data }
        }
        return nil
    }
}

/// `tollgate`'s side of the local socket.
public struct LocalReleaseClient: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func heldJobs() throws -> [HeldJobSummary] {
        try send(.init(operation: .jobs)).jobs ?? []
    }

    public func release(jobs: [Int], all: Bool, account: String?, queue: String?) throws -> [LocalReleaseSocket.Outcome] {
        try send(.init(operation: .release, jobs: jobs, all: all, account: account, queue: queue)).outcomes ?? []
    }

    public func delete(jobs: [Int]) throws -> [LocalReleaseSocket.Outcome] {
        try send(.init(operation: .delete, jobs: jobs)).outcomes ?? []
    }

    /// Redeems a voucher into the caller's own personal wallet; the outcome in words.
    public func redeem(code: String) throws -> LocalReleaseSocket.Outcome {
        try send(.init(operation: .redeem, code: code)).outcomes?.first ?? .init(ok: false, message: "tollgated gave no answer")
    }

    /// The active account ("" for none) and the accounts the user may choose; sets it first when asked.
    public func active(set account: String? = nil, walletOnly: Bool = false) throws -> (active: String, usable: [String]) {
        let response = try send(.init(operation: account != nil || walletOnly ? .setActive : .active, account: account,
                                      walletOnly: walletOnly))
        return (response.active ?? "", response.usableAccounts ?? [])
    }

    private func send(_ request: LocalReleaseSocket.Request) throws -> LocalReleaseSocket.Response {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LocalSocketError.system("socket", errno) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw LocalSocketError.pathTooLong(path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw LocalSocketError.notRunning(path: path, errno: errno) }
        var payload = try JSONEncoder().encode(request)
        payload.append(0x0A)
        try payload.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                // MSG_NOSIGNAL: a server that answered early (busy) and closed is read below, not a SIGPIPE.
                let written = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written < 0 && errno == EPIPE { break }
                guard written > 0 else { throw LocalSocketError.system("write", errno) }
                offset += written
            }
        }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 { throw LocalSocketError.system("read", errno) }
            if count == 0 { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        let response = try JSONDecoder().decode(LocalReleaseSocket.Response.self, from: answer)
        if let error = response.error { throw LocalSocketError.refused(error) }
        return response
    }
}

/// Why the local socket could not be used.
public enum LocalSocketError: Error, Sendable, CustomStringConvertible {
    case system(String, Int32)
    case pathTooLong(String)
    case notRunning(path: String, errno: Int32)
    case refused(String)

    public var description: String {
        switch self {
        case .system(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .pathTooLong(let path): "socket path too long: \(path)"
        case .notRunning(let path, let code):
            "cannot reach tollgated at \(path) (\(String(cString: strerror(code)))): is tollgated running? Administrators can use --db directly"
        case .refused(let message): message
        }
    }
}
