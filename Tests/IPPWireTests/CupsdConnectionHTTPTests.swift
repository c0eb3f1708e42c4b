import Foundation
import Testing
@testable import IPPWire

/// The HTTP side of the reader against a scripted server on a real Unix socket: the framings
/// cupsd may use, its challenges, and answers that must be refused. (What cupsd really says is
/// checked against a real cupsd in the end-to-end tests.)
@Suite struct CupsdConnectionHTTPTests {
    /// A server that answers each connection's requests with the next of `replies`, in order, and
    /// records the request heads it saw.
    final class ScriptedServer: @unchecked Sendable {
        let path: String
        private let fd: Int32
        private let lock = NSLock()
        private var heads: [String] = []
        var requestHeads: [String] { lock.lock(); defer { lock.unlock() }; return heads }

        init(replies: [[UInt8]], closeAfterEach: Bool = false) throws {
            path = NSTemporaryDirectory() + "ippwire-" + UUID().uuidString.prefix(8) + ".sock"
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: Array(path.utf8)); raw[path.utf8.count] = 0
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw CupsClientError.cannotConnect(server: path, reason: "bind") }
            let listener = fd
            Thread { [self] in
                var remaining = replies
                while !remaining.isEmpty {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    while !remaining.isEmpty {
                        guard let head = Self.readRequest(connection) else { break }
                        lock.lock(); heads.append(head); lock.unlock()
                        let reply = remaining.removeFirst()
                        _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        if closeAfterEach { break }
                    }
                    close(connection)
                }
            }.start()
        }

        deinit { close(fd); unlink(path) }

        /// Reads one request (head and Content-Length body); returns its head.
        static func readRequest(_ connection: Int32) -> String? {
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                if let end = data.indices.dropLast(3).first(where: { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }) {
                    let head = String(decoding: data[..<end], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                    while data.count < end + 4 + length {
                        let n = read(connection, &buffer, buffer.count)
                        if n <= 0 { return nil }
                        data += buffer[..<n]
                    }
                    return head
                }
                let n = read(connection, &buffer, buffer.count)
                if n <= 0 { return nil }
                data += buffer[..<n]
            }
        }
    }

    /// An IPP response with a job group holding job-id `id`.
    static func jobResponse(_ id: Int32, status: UInt16 = 0) -> [UInt8] {
        var body: [UInt8] = [2, 0, UInt8(status >> 8), UInt8(status & 0xFF), 0, 0, 0, 1, 0x01]
        body += [0x47, 0, 18] + Array("attributes-charset".utf8) + [0, 5] + Array("utf-8".utf8)
        body += [0x02, 0x21, 0, 6] + Array("job-id".utf8) + [0, 4] + [24, 16, 8, 0].map { UInt8((UInt32(bitPattern: id) >> UInt32($0)) & 0xFF) }
        return body + [0x03]
    }

    static func http(_ status: String, headers: [String] = [], body: [UInt8]) -> [UInt8] {
        Array(("HTTP/1.1 \(status)\r\n" + (headers + ["Content-Length: \(body.count)"]).map { $0 + "\r\n" }.joined() + "\r\n").utf8) + body
    }

    @Test func readsContentLengthChunkedAndAfter100Continue() throws {
        let body = Self.jobResponse(7)
        var chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        chunked += Array("5;ext=1\r\n".utf8)
        chunked += body.prefix(5)
        chunked += Array(("\r\n" + String(body.count - 5, radix: 16) + "\r\n").utf8)
        chunked += body.dropFirst(5)
        chunked += Array("\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8)
        let server = try ScriptedServer(replies: [
            Self.http("200 OK", body: body),
            chunked,
            Array("HTTP/1.1 100 Continue\r\n\r\n".utf8) + Self.http("200 OK", body: Self.jobResponse(9)),
        ])
        let connection = try CupsdConnection(server: server.path)
        #expect(try connection.jobAttributes(7).integer("job-id") == 7)
        #expect(try connection.jobAttributes(7).integer("job-id") == 7)
        #expect(try connection.jobAttributes(9).integer("job-id") == 9)
        #expect(server.requestHeads.count == 3, "one kept-alive connection served all three")
        #expect(server.requestHeads.allSatisfy { $0.contains("Host: localhost:0") && !$0.contains("Authorization") })
    }

    @Test func answersAPeerCredChallengeOnceAndKeepsIt() throws {
        let server = try ScriptedServer(replies: [
            Self.http("401 Unauthorized", headers: ["WWW-Authenticate: Basic realm=\"CUPS\", PeerCred"], body: Array("<html/>".utf8)),
            Self.http("200 OK", body: Self.jobResponse(3)),
            Self.http("200 OK", body: Self.jobResponse(3)),
        ])
        let connection = try CupsdConnection(server: server.path)
        #expect(try connection.jobAttributes(3).integer("job-id") == 3)
        #expect(try connection.jobAttributes(3).integer("job-id") == 3)
        let heads = server.requestHeads
        #expect(heads.count == 3)
        #expect(!heads[0].contains("Authorization"))
        #expect(heads[1].contains("Authorization: PeerCred "), "\(heads[1])")
        #expect(heads[2].contains("Authorization: PeerCred "), "remembered: no second challenge")
    }

    @Test func aClosedKeptAliveConnectionIsOpenedAgain() throws {
        let server = try ScriptedServer(replies: [Self.http("200 OK", body: Self.jobResponse(1)),
                                                  Self.http("200 OK", body: Self.jobResponse(2))], closeAfterEach: true)
        let connection = try CupsdConnection(server: server.path)
        #expect(try connection.jobAttributes(1).integer("job-id") == 1)
        #expect(try connection.jobAttributes(2).integer("job-id") == 2)
    }

    @Test func refusalsAreClearErrors() throws {
        /// The case of the error the reader throws for `reply` ("none" when it answers).
        func refusal(_ reply: [UInt8]) throws -> String {
            let server = try ScriptedServer(replies: [reply])
            do {
                _ = try CupsdConnection(server: server.path, timeoutMilliseconds: 2000).jobAttributes(1)
                return "none"
            } catch {
                return Mirror(reflecting: error).children.first?.label ?? "\(error)"
            }
        }
        #expect(try refusal(Self.http("401 Unauthorized", headers: ["WWW-Authenticate: Negotiate"], body: [])) == "authenticationRequired")
        #expect(try refusal(Self.http("426 Upgrade Required", body: [])) == "encryptionRequired")
        #expect(try refusal(Self.http("200 OK", body: Self.jobResponse(1, status: 0x0406))) == "notFound")
        #expect(try refusal(Self.http("200 OK", body: Self.jobResponse(1, status: 0x0400))) == "requestFailed")
        #expect(try refusal(Self.http("200 OK", body: [2, 0, 0])) == "malformedResponse")
        #expect(try refusal(Self.http("200 OK", headers: ["Content-Encoding: gzip"], body: [1])) == "malformedResponse")
        #expect(try refusal(Array("HTTP/1.1 200 OK\r\nContent-Length: \(CupsdConnection.maximumResponseBytes + 1)\r\n\r\n".utf8))
                == "malformedResponse")
        #expect(try refusal(Array("garbage\r\n\r\n".utf8)) == "malformedResponse")
        #expect(try refusal(Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort".utf8)) == "cannotConnect")
    }
}
