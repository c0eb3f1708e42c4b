import Foundation
import Pricing
import QuotaDB
import Testing
@testable import Release

/// The local socket's limits, on a real socket and a real database (no cupsd needed: the requests
/// used here touch only the database).
@Suite(.serialized) struct LocalReleaseServerTests {
    final class Fixture {
        let directory: String
        let server: LocalReleaseServer
        var client: LocalReleaseClient { LocalReleaseClient(path: server.path) }

        init() throws {
            directory = NSTemporaryDirectory() + "tollgate-socket-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let store = try SQLQuotaStore(location: DatabaseLocation(path: directory + "/tollgate.db"),
                                             options: .init(create: true, currency: .eur))
            let service = ReleaseService(store: store, settings: .init(cupsServer: directory + "/no-cupsd.sock", serverName: "test"))
            server = try LocalReleaseServer(path: directory + "/tollgated.sock", service: service)
            server.start()
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// A connection that sends nothing (or `bytes`) and stays open until closed.
        func idleConnection(sending bytes: [UInt8] = []) throws -> Int32 {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: Array(server.path.utf8))
                raw[server.path.utf8.count] = 0
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { throw LocalSocketError.notRunning(path: server.path, errno: errno) }
            if !bytes.isEmpty { _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            return fd
        }
    }

    static func isBusy(_ error: any Error) -> Bool {
        if case LocalSocketError.refused(let message) = error { return message.hasPrefix("busy") }
        return false
    }

    /// Whether the server answers this user (anything but "busy") within a few seconds: threads
    /// of connections that hung up end on their own time.
    static func answered(by fixture: Fixture) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            do { _ = try fixture.client.active(); return true } catch {
                if !isBusy(error) { return true }                      // e.g. an unknown user: answered
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test func oneUserCannotTakeEveryThread() throws {
        let fixture = try Fixture()
        // This test runs as one user: its idle connections fill that user's share.
        var idle = try (0..<LocalReleaseServer.connectionsPerUser).map { _ in try fixture.idleConnection() }
        Thread.sleep(forTimeInterval: 0.3)                               // accepted, each thread waiting for a request
        #expect(throws: LocalSocketError.self) { try fixture.client.active() }
        do { _ = try fixture.client.active() } catch { #expect(LocalReleaseServerTests.isBusy(error), "\(error)") }

        // One hangs up: its thread ends (the answer it cannot deliver does not end the server),
        // and the user is served again.
        close(idle.removeFirst())
        #expect(LocalReleaseServerTests.answered(by: fixture))
        idle.forEach { close($0) }
    }

    @Test func aClientThatHangsUpMidRequestDoesNotEndTheServer() throws {
        let fixture = try Fixture()
        for _ in 0..<20 {
            close(try fixture.idleConnection(sending: Array("{\"operation\":".utf8)))
            close(try fixture.idleConnection(sending: Array("not json\n".utf8)))
        }
        // Still here (a SIGPIPE would have ended this process) and answering once those threads end.
        #expect(LocalReleaseServerTests.answered(by: fixture))
    }

    /// A user redeems a voucher into their own wallet through the socket (who they are comes from
    /// the kernel); the same code again gives nothing.
    @Test func aVoucherIsRedeemedOnceIntoTheCallersWallet() throws {
        let fixture = try Fixture()
        let store = try SQLQuotaStore(location: DatabaseLocation(path: fixture.directory + "/tollgate.db"))
        let code = VoucherCode.random()
        _ = try store.addVoucherBatch(value: try Money(parsing: "3.00", currency: .eur, unit: .optional), codeHashes: [code.hash],
                                      expiresAt: nil, actor: "desk")
        let me = LocalReleaseServer.userName(uid: getuid()) ?? "root"
        let first = try fixture.client.redeem(code: code.description.lowercased())
        #expect(first.ok && first.message.contains("3.00 EUR added"), "\(first.message)")
        #expect(try store.balances(for: me).wallet.minorUnits == 300)
        let again = try fixture.client.redeem(code: code.description)
        #expect(!again.ok && again.message.contains("already redeemed"), "\(again.message)")
        let typo = try fixture.client.redeem(code: "ABCD-EFGH-JKMN-PQRS")
        #expect(!typo.ok && typo.message.contains("typo"), "\(typo.message)")
        #expect(try store.balances(for: me).wallet.minorUnits == 300)
    }
}
