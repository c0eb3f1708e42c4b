#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// IPP over HTTP/1.1 to cupsd, without libcups, for the backend's reads: the queue's policy
/// (Get-Printer-Attributes) and the job's identity (Get-Job-Attributes).
///
/// Why not libcups: the backend starts once per job, and loading libcups with the ~25 libraries
/// it needs (GnuTLS, Kerberos, Avahi, D-Bus …) cost it about 4.5 ms each time. These two reads need
/// none of that: cupsd gives backends its domain socket in `CUPS_SERVER` when it listens on one
/// (Debian's does), and answers them there without TLS. Over TCP this client speaks plain HTTP,
/// which cupsd accepts on loopback unless told to require encryption.
///
/// Authentication: none at first, as libcups does; if cupsd challenges on its domain socket and
/// offers `PeerCred`, the request is sent again with `Authorization: PeerCred USER`, which cupsd
/// checks against the socket's peer credentials. Any other challenge, or HTTP 426 (TLS
/// required), is a ``CupsClientError`` naming what to change; everything else (administration,
/// release) stays with the libcups client.
///
/// Bounds: the answer is read with a timeout per read and at most ``maximumResponseBytes``; the
/// IPP decoder checks every length.
public final class CupsdConnection {
    /// Where cupsd listens: a domain socket path or `host[:port]`.
    public let server: String
    /// The most this client reads of one answer (a Get-Printer-Attributes "all" is tens of KiB).
    public static let maximumResponseBytes = 8 << 20

    private enum Endpoint {
        case local(path: String)
        case tcp(host: String, port: String)
    }

    private let endpoint: Endpoint
    /// The HTTP resource requests are posted to: `/` for cupsd, the URI's path for a printer.
    private let resource: String
    private let timeoutMilliseconds: Int32
    /// Who this process is, for `requesting-user-name` and `PeerCred` (as libcups's cupsUser()).
    private let user: String
    private var socket: Int32 = -1
    /// Set once a request has used the current socket (a kept-alive socket cupsd may have closed).
    private var reused = false
    /// `PeerCred USER` once cupsd has asked for it: later requests send it at once.
    private var authorization: String?

    /// Connects to `server` (default: cupsd's usual domain socket, else `localhost:631`). Fails
    /// after `timeoutMilliseconds`.
    public init(server: String? = nil, resource: String = "/", timeoutMilliseconds: Int32 = 10_000) throws(CupsClientError) {
        let target = server.flatMap { $0.isEmpty ? nil : $0 } ?? CupsdConnection.defaultServer()
        self.server = target
        self.endpoint = CupsdConnection.endpoint(of: target)
        self.resource = resource
        self.timeoutMilliseconds = max(1, timeoutMilliseconds)
        self.user = CupsdConnection.currentUser()
        try connect()
    }

    deinit {
        if socket >= 0 { close(socket) }
    }

    /// Attributes of queue `printer` (Get-Printer-Attributes). `names` empty asks for all.
    public func printerAttributes(_ printer: String, names: [String] = []) throws(CupsClientError) -> IPPAttributes {
        var request = IPPRequest(.getPrinterAttributes)
        try request.add(.uri, "printer-uri", [CupsdConnection.printerURI(printer)])
        try addRequester(names, to: &request)
        return try send(request).first(.printer)
    }

    /// Connects to the network printer of `printerURI` (`ipp://[user@]host[:port]/resource`, or
    /// `ipps://` asked over plain HTTP on the same port, as printers that serve both answer),
    /// to ask it what the ipp backend will ask it (``printerAttributes(printerURI:names:)``).
    /// No credentials are sent: a printer that wants them or TLS is a ``CupsClientError``.
    public convenience init(printerURI: String, timeoutMilliseconds: Int32 = 10_000) throws(CupsClientError) {
        guard let (server, resource) = CupsdConnection.serverAndResource(of: printerURI) else {
            throw .cannotConnect(server: printerURI, reason: "not an ipp:// or ipps:// URI with a host")
        }
        try self.init(server: server, resource: resource, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Attributes of the printer at `printerURI` itself (Get-Printer-Attributes), on a connection
    /// made with ``init(printerURI:timeoutMilliseconds:)``. `names` empty asks for all.
    public func printerAttributes(printerURI: String, names: [String] = []) throws(CupsClientError) -> IPPAttributes {
        var request = IPPRequest(.getPrinterAttributes)
        try request.add(.uri, "printer-uri", [printerURI])
        try addRequester(names, to: &request)
        return try send(request).first(.printer)
    }

    /// `host:port` (631 when absent) and the resource (`/` when absent) of an ipp/ipps URI,
    /// user information and query left out; nil for any other URI.
    public static func serverAndResource(of uri: String) -> (server: String, resource: String)? {
        let lower = uri.lowercased()
        let prefix = lower.hasPrefix("ipp://") ? 6 : lower.hasPrefix("ipps://") ? 7 : 0
        guard prefix > 0 else { return nil }
        var rest = Substring(uri.dropFirst(prefix))
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        rest = rest[slash...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty, !uri.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else { return nil }
        let resource = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        return (hasPort ? String(authority) : authority + ":631", resource.isEmpty ? "/" : resource)
    }

    /// Attributes of job `id` (Get-Job-Attributes). `names` empty asks for all.
    public func jobAttributes(_ id: Int, names: [String] = []) throws(CupsClientError) -> IPPAttributes {
        var request = IPPRequest(.getJobAttributes)
        try request.add(.uri, "printer-uri", ["ipp://localhost/"])
        try request.add("job-id", integer: Int32(clamping: id))
        try addRequester(names, to: &request)
        return try send(request).first(.job)
    }

    /// The `ipp://localhost/printers/NAME` URI cupsd uses for a local queue, the name
    /// percent-encoded where RFC 3986 asks for it.
    public static func printerURI(_ printer: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let digits = Array("0123456789ABCDEF".utf8)
        var path: [UInt8] = []
        for byte in printer.utf8 {
            if unreserved.contains(byte) {
                path.append(byte)
            } else {
                path += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return "ipp://localhost/printers/" + String(decoding: path, as: UTF8.self)
    }

    private func addRequester(_ names: [String], to request: inout IPPRequest) throws(CupsClientError) {
        try request.add(.name, "requesting-user-name", [user])
        try request.add(.keyword, "requested-attributes", names.isEmpty ? ["all"] : names)
    }

    // MARK: - HTTP

    /// Sends `request` and returns cupsd's answer when its status is a success.
    private func send(_ request: IPPRequest) throws(CupsClientError) -> IPPResponse {
        let operation = request.operation.name
        let body = request.encoded
        var challenged = false
        var attempts = 0
        while true {
            attempts += 1
            if socket < 0 { try connect() }
            let wasReused = reused
            reused = true
            let reply: Reply
            do throws(ExchangeError) {
                try write(head(length: body.count, authorization: authorization) + body)
                reply = try readReply(operation: operation)
            } catch {
                disconnect()
                switch error {
                case .closedBeforeReply where wasReused && attempts < 3:
                    continue                                            // cupsd closed an idle kept-alive socket
                case .closedBeforeReply:
                    throw .cannotConnect(server: server, reason: "cupsd closed the connection without answering")
                case .failed(let failure):
                    throw failure
                }
            }
            if !reply.keepAlive { disconnect() }
            switch reply.status {
            case 200:
                let response: IPPResponse
                do { response = try IPPResponse(decoding: reply.body) } catch {
                    throw .malformedResponse(operation: operation, reason: "\(error)")
                }
                guard response.statusCode >= 0x0400 else { return response }
                let message = response.statusMessage ?? response.statusName
                if response.statusCode == 0x0406 { throw .notFound(operation: operation, message: message) }
                throw .requestFailed(operation: operation, status: response.statusName, message: message)
            case 401:
                let offered = reply.header("www-authenticate") ?? ""
                // PeerCred once per request; a user name that could break the header is never sent.
                if case .local = endpoint, !challenged, offered.lowercased().contains("peercred"),
                   !user.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) {
                    challenged = true
                    authorization = "PeerCred " + user
                    continue
                }
                throw .authenticationRequired(server: server, operation: operation, offered: offered)
            case 426:
                throw .encryptionRequired(server: server, operation: operation)
            default:
                throw .requestFailed(operation: operation, status: "HTTP \(reply.status)", message: reply.reason)
            }
        }
    }

    private func head(length: Int, authorization: String?) -> [UInt8] {
        var text = "POST \(resource) HTTP/1.1\r\nHost: \(hostHeader)\r\nContent-Type: application/ipp\r\nContent-Length: \(length)\r\n"
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    private var hostHeader: String {
        switch endpoint {
        case .local: "localhost:0"         // as libcups: cupsd then writes URIs without a port
        case .tcp(let host, let port):
            // As libcups: a loopback address is "localhost", so cupsd's URIs name it that way.
            (host == "localhost" || host.hasPrefix("127.") || host == "::1" ? "localhost" : host.contains(":") ? "[\(host)]" : host)
                + ":" + port
        }
    }

    /// What went wrong while exchanging one request.
    private enum ExchangeError: Error {
        /// The socket ended before the first octet of a reply: a kept-alive socket cupsd closed.
        case closedBeforeReply
        case failed(CupsClientError)
    }

    /// An HTTP reply: status, headers (names lowercased), the whole body.
    private struct Reply {
        var status: Int
        var reason: String
        var headers: [(String, String)]
        var body: [UInt8]
        var keepAlive: Bool

        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    }

    /// The bytes read from the socket and not yet used.
    private var incoming: [UInt8] = []

    private func readReply(operation: String) throws(ExchangeError) -> Reply {
        incoming.removeAll(keepingCapacity: true)
        var reply: Reply
        repeat {                                                        // skip any 100 Continue
            reply = try readHead(operation: operation)
        } while reply.status == 100
        let malformed = { (reason: String) in ExchangeError.failed(.malformedResponse(operation: operation, reason: reason)) }
        if let encoding = reply.header("content-encoding"), encoding.lowercased() != "identity" {
            throw malformed("it is compressed (\(encoding))")
        }
        if reply.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            reply.body = try readChunked(operation: operation)
        } else if let lengthText = reply.header("content-length") {
            guard let length = Int(lengthText.trimmingSpaces), length >= 0 else { throw malformed("Content-Length \(lengthText)") }
            guard length <= CupsdConnection.maximumResponseBytes else { throw malformed("it is \(length) bytes long") }
            try fill(upTo: length, operation: operation)
            reply.body = Array(incoming.prefix(length))
            incoming.removeFirst(length)
        } else {
            while try receive(operation: operation) > 0 {}              // the body ends with the connection
            reply.body = incoming
            incoming.removeAll()
            reply.keepAlive = false
        }
        return reply
    }

    /// Reads up to the blank line and parses the status line and headers.
    private func readHead(operation: String) throws(ExchangeError) -> Reply {
        let malformed = { (reason: String) in ExchangeError.failed(.malformedResponse(operation: operation, reason: reason)) }
        var end: Int?
        var searched = 0
        while end == nil {
            if incoming.count > 3 {
                for index in max(0, searched - 3)..<(incoming.count - 3)
                where incoming[index] == 13 && incoming[index + 1] == 10 && incoming[index + 2] == 13 && incoming[index + 3] == 10 {
                    end = index
                    break
                }
                searched = incoming.count
            }
            if end != nil { break }
            guard incoming.count < 65_536 else { throw malformed("its HTTP header is longer than 64 KiB") }
            let wasEmpty = incoming.isEmpty
            if try receive(operation: operation) == 0 {
                if wasEmpty { throw .closedBeforeReply }
                throw .failed(.cannotConnect(server: server, reason: "cupsd closed the connection in the middle of its answer"))
            }
        }
        let headText = String(decoding: incoming[..<end!], as: UTF8.self)
        incoming.removeFirst(end! + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw malformed("not an HTTP/1.x status line")
        }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw malformed("a header line without a colon") }
            headers.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingSpaces))
        }
        let connection = headers.first { $0.0 == "connection" }?.1.lowercased() ?? ""
        let keepAlive = parts[0] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        return Reply(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [],
                     keepAlive: keepAlive)
    }

    /// A chunked body (RFC 9112 §7.1), trailers skipped.
    private func readChunked(operation: String) throws(ExchangeError) -> [UInt8] {
        let malformed = { (reason: String) in ExchangeError.failed(.malformedResponse(operation: operation, reason: reason)) }
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine(operation: operation)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingSpaces ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw malformed("chunk size \(sizeLine.prefix(20))") }
            if size == 0 {
                while try !readLine(operation: operation).isEmpty {}
                return body
            }
            guard size <= CupsdConnection.maximumResponseBytes - body.count else { throw malformed("it is longer than \(CupsdConnection.maximumResponseBytes) bytes") }
            try fill(upTo: size + 2, operation: operation)
            body += incoming[..<size]
            guard incoming[size] == 13, incoming[size + 1] == 10 else { throw malformed("a chunk does not end with CRLF") }
            incoming.removeFirst(size + 2)
        }
    }

    private func readLine(operation: String) throws(ExchangeError) -> String {
        while true {
            if let newline = incoming.firstIndex(of: 10) {
                let line = incoming[..<newline]
                incoming.removeFirst(newline + 1)
                return String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self)
            }
            guard incoming.count < 4096 else {
                throw .failed(.malformedResponse(operation: operation, reason: "a chunk header longer than 4 KiB"))
            }
            if try receive(operation: operation) == 0 {
                throw .failed(.cannotConnect(server: server, reason: "cupsd closed the connection in the middle of its answer"))
            }
        }
    }

    /// Reads until `count` octets are waiting.
    private func fill(upTo count: Int, operation: String) throws(ExchangeError) {
        while incoming.count < count {
            if try receive(operation: operation) == 0 {
                throw .failed(.cannotConnect(server: server, reason: "cupsd closed the connection in the middle of its answer"))
            }
        }
    }

    /// One read from the socket, appended to `incoming`; 0 at end of stream.
    private func receive(operation: String) throws(ExchangeError) -> Int {
        guard incoming.count <= CupsdConnection.maximumResponseBytes + 65_536 else {
            throw .failed(.malformedResponse(operation: operation, reason: "it is longer than \(CupsdConnection.maximumResponseBytes) bytes"))
        }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(socket, $0.baseAddress, $0.count, 0) }
            if count >= 0 {
                incoming += chunk[..<count]
                return count
            }
            if errno == EINTR { continue }
            let reason = errno == EAGAIN || errno == EWOULDBLOCK
                ? "no answer within \(timeoutMilliseconds) ms" : CupsdConnection.errorText(errno)
            throw .failed(.cannotConnect(server: server, reason: reason))
        }
    }

    private func write(_ bytes: [UInt8]) throws(ExchangeError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a socket cupsd closed is an error here, not a SIGPIPE that ends the backend.
            let sent = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .closedBeforeReply }
                throw .failed(.cannotConnect(server: server, reason: CupsdConnection.errorText(errno)))
            }
            offset += sent
        }
    }

    // MARK: - Sockets

    private func connect() throws(CupsClientError) {
        disconnect()
        switch endpoint {
        case .local(let path):
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .cannotConnect(server: server, reason: CupsdConnection.errorText(errno)) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let pathBytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard pathBytes.count < capacity else {
                close(fd)
                throw .cannotConnect(server: server, reason: "the socket path is longer than \(capacity - 1) bytes")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: pathBytes)
                raw[pathBytes.count] = 0
            }
            setTimeouts(fd)
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard result == 0 else {
                let error = errno
                close(fd)
                throw .cannotConnect(server: server, reason: CupsdConnection.errorText(error))
            }
            socket = fd
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            hints.ai_family = AF_UNSPEC
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, port, &hints, &list)
            guard status == 0, let first = list else {
                throw .cannotConnect(server: server, reason: String(cString: gai_strerror(status)))
            }
            defer { freeaddrinfo(list) }
            var lastError = ECONNREFUSED
            var candidate: UnsafeMutablePointer<addrinfo>? = first
            while let info = candidate {
                candidate = info.pointee.ai_next
                let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
                guard fd >= 0 else { lastError = errno; continue }
                setTimeouts(fd)                                         // SO_SNDTIMEO bounds connect() too
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    socket = fd
                    return
                }
                lastError = errno
                close(fd)
            }
            throw .cannotConnect(server: server, reason: CupsdConnection.errorText(lastError))
        }
    }

    private func disconnect() {
        if socket >= 0 { close(socket) }
        socket = -1
        reused = false
        incoming.removeAll()
    }

    private func setTimeouts(_ fd: Int32) {
        var limit = timeval(tv_sec: Int(timeoutMilliseconds / 1000), tv_usec: Int(timeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    // MARK: - Defaults

    /// libcups's default on Debian: the domain socket when it exists, else port 631 on localhost.
    static func defaultServer() -> String {
        access("/run/cups/cups.sock", F_OK) == 0 ? "/run/cups/cups.sock" : "localhost:631"
    }

    private static func endpoint(of server: String) -> Endpoint {
        if server.hasPrefix("/") { return .local(path: server) }
        if server.hasPrefix("["), let close = server.firstIndex(of: "]") {    // [IPv6]:port
            let host = String(server[server.index(after: server.startIndex)..<close])
            let rest = server[server.index(after: close)...]
            return .tcp(host: host, port: rest.hasPrefix(":") ? String(rest.dropFirst()) : "631")
        }
        if let colon = server.lastIndex(of: ":"), server.firstIndex(of: ":") == colon {
            return .tcp(host: String(server[..<colon]), port: String(server[server.index(after: colon)...]))
        }
        return .tcp(host: server, port: "631")
    }

    /// The user name of this process's real uid, as libcups's cupsUser() gives it: looked up once
    /// per uid (a service asks cupsd for every job; the passwd file would be read each time).
    private static func currentUser() -> String {
        let uid = getuid()
        if let (known, name) = lastUser.withLock({ $0 }), known == uid { return name }
        let name = lookUpUser(uid)
        lastUser.withLock { $0 = (uid, name) }
        return name
    }

    private static let lastUser = Mutex<(uid_t, String)?>(nil)

    private static func lookUpUser(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let found = result,
              let name = found.pointee.pw_name else { return "unknown" }
        return String(cString: name)
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

private extension String {
    /// Without leading and trailing spaces and tabs (Foundation-free).
    var trimmingSpaces: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        let last = bytes.lastIndex(where: { $0 != 32 && $0 != 9 })!
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

private extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}
