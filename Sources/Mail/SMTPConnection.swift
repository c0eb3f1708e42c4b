import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One plain SMTP session (RFC 5321) to a relay: EHLO, MAIL, RCPT, DATA, QUIT, with a timeout on
/// every read and write. Blocking: run it off the event loop.
struct SMTPConnection {
    let host: String
    let port: Int
    var timeoutSeconds = 10

    func send(_ message: MailMessage) throws(MailError) {
        let fd = try connect()
        defer { close(fd) }
        var reader = LineReader(fd: fd)
        try expect(220, &reader)
        try command("EHLO \(Self.hostName())", fd, &reader, 250)
        try command("MAIL FROM:<\(Self.envelope(message.from))>", fd, &reader, 250)
        try command("RCPT TO:<\(Self.envelope(message.to))>", fd, &reader, 250, 251)
        try command("DATA", fd, &reader, 354)
        // Dot-stuffing: a line that starts with "." gets another.
        let data = message.text.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try write(fd, data + (data.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n")
        try expect(250, &reader)
        try? command("QUIT", fd, &reader, 221)
    }

    private func connect() throws(MailError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else {
            throw .transport("cannot resolve \(host)")
        }
        defer { freeaddrinfo(result) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            cursor = info.pointee.ai_next
        }
        throw .transport("cannot connect to the mail relay \(host):\(port): \(String(cString: strerror(errno)))")
    }

    private func command(_ line: String, _ fd: Int32, _ reader: inout LineReader, _ codes: Int...) throws(MailError) {
        try write(fd, line + "\r\n")
        try expect(codes, &reader)
    }

    private func expect(_ code: Int, _ reader: inout LineReader) throws(MailError) { try expect([code], &reader) }

    /// Reads a (multi-line) reply and checks its code.
    private func expect(_ codes: [Int], _ reader: inout LineReader) throws(MailError) {
        while true {
            let line = try reader.line()
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw .transport("not an SMTP reply: \(line.prefix(80))") }
            if line.count > 3, line[line.index(line.startIndex, offsetBy: 3)] == "-" { continue }
            guard codes.contains(code) else { throw .refused(code: code, text: String(line.dropFirst(4))) }
            return
        }
    }

    private func write(_ fd: Int32, _ text: String) throws(MailError) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBufferPointer { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw .transport("the mail relay stopped taking data") }
            sent += n
        }
    }

    /// The address of `Name <address>` (or the whole text), for the envelope.
    static func envelope(_ address: String) -> String {
        let header = MailMessage.header(address)
        guard let open = header.lastIndex(of: "<"), let close = header.lastIndex(of: ">"), open < close else {
            return header.trimmingCharacters(in: .whitespaces)
        }
        return String(header[header.index(after: open)..<close])
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        return gethostname(&buffer, buffer.count) == 0 ? String(cString: buffer) : "localhost"
    }

    /// Lines of the server's replies, read with the socket's timeout, at most 64 KiB in all.
    struct LineReader {
        let fd: Int32
        var buffer: [UInt8] = []
        var total = 0

        mutating func line() throws(MailError) -> String {
            while true {
                if let end = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...end)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = recv(fd, &chunk, chunk.count, 0)
                guard n > 0 else { throw .transport("the mail relay closed the connection or did not answer in time") }
                total += n
                guard total < 65536 else { throw .transport("the mail relay's reply is too long") }
                buffer += chunk[..<n]
            }
        }
    }
}
