import CBackendSupport
#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket of datagrams (SOCK_SEQPACKET) that carry descriptors: the one system-call
/// wrapper of the gate service's wire (``GateRequest``, ``GateReply``).
public struct GateSocket: Sendable {
    public let fd: Int32

    /// The largest message either side sends (a job's argv and environment are a few KiB).
    static let maximumMessage = 256 * 1024

    /// Connects to the service at `path`; nil when nothing listens there (no socket file, or a
    /// stale one).
    public static func connect(path: String) -> GateSocket? {
        guard let address = Self.address(path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var copy = address
        let connected = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); return nil }
        return GateSocket(fd: fd)
    }

    /// Listens at `path` (replacing a stale socket file), mode 0600: only root, who runs
    /// backends, connects.
    public static func listen(path: String) throws(GateWireError) -> GateSocket {
        guard let address = Self.address(path) else { throw .pathTooLong(path) }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var copy = address
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        guard bound == 0, chmod(path, 0o600) == 0, Glibc.listen(fd, 64) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .system("bind/listen \(path)", code)
        }
        return GateSocket(fd: fd)
    }

    private static func address(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    public func accept() -> GateSocket? {
        let connection = tollgate_accept_cloexec(fd)
        return connection >= 0 ? GateSocket(fd: connection) : nil
    }

    /// Sends one message with `fds` attached (the peer gets its own copies).
    public func send(_ bytes: [UInt8], fds: [Int32] = []) throws(GateWireError) {
        let sent = bytes.withUnsafeBytes { raw in
            fds.withUnsafeBufferPointer { tollgate_send_with_fds(fd, raw.baseAddress, UInt(raw.count), $0.baseAddress, Int32($0.count)) }
        }
        guard sent == bytes.count else { throw .system("sendmsg", sent < 0 ? errno : EMSGSIZE) }
    }

    /// Receives one message and the descriptors that came with it (the caller closes them); nil
    /// when the peer has closed its end.
    public func receive() throws(GateWireError) -> (bytes: [UInt8], fds: [Int32])? {
        var bytes = [UInt8](repeating: 0, count: Self.maximumMessage)
        var fds = [Int32](repeating: -1, count: 4)
        var count: Int32 = 0
        let received = bytes.withUnsafeMutableBytes { raw in
            fds.withUnsafeMutableBufferPointer { tollgate_receive_with_fds(fd, raw.baseAddress, UInt(raw.count), $0.baseAddress, 4, &count) }
        }
        guard received >= 0 else { throw .system("recvmsg", errno) }
        if received == 0 { return nil }
        return (Array(bytes.prefix(received)), Array(fds.prefix(Int(count))))
    }

    /// How long ``receive()`` waits before failing with EAGAIN (nil: for ever).
    public func setReceiveTimeout(seconds: Int?) {
        var value = timeval(tv_sec: seconds ?? 0, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The user id of the connected process (the kernel's word, SO_PEERCRED).
    public var peerUID: uid_t? {
        let uid = tollgate_peer_uid(fd)
        return uid < 0 ? nil : uid_t(uid)
    }

    public func close() { Glibc.close(fd) }
}

/// The gate service's own failures (a socket that cannot be served, a message that makes no sense).
public enum GateWireError: Error, CustomStringConvertible {
    case pathTooLong(String)
    case system(String, Int32)
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .pathTooLong(let path): "socket path \(path) is too long"
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        case .protocolViolation(let what): what
        }
    }
}
