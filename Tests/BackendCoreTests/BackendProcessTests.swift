import Foundation
import Testing
import TestSupport

/// The backend wrapper run as cupsd runs it (argv[0] = device URI, fds 3 and 4 open), in front of
/// a fake real backend that records how it was started. Without a cupsd and a database, these run
/// the wrapper without its gate (`tollgate-backend-transparent`, a test fixture); the product's
/// gate is tested end to end on the bench.
@Suite(.serialized) struct BackendProcessTests {
    let backend = BuiltProducts.executable("tollgate-backend-transparent")

    /// Runs the wrapper with argv[0] set and fds 3/4 open, stdin from `input` when given.
    /// With `throughPipe`, stdin is a pipe (as from cupsd's filter chain) instead of the file.
    func runWrapper(argv0: String, _ arguments: [String], env: [String: String],
                    input: String? = nil, throughPipe: Bool = false, timeout: TimeInterval = 30) throws -> ProcessResult {
        let redirect = input.map { " <\"\($0)\"" } ?? " </dev/null"
        let run = "exec 3</dev/null 4</dev/null; exec -a \"$0\" \"$@\""
        let script = throughPipe && input != nil ? "cat \"\(input!)\" | (\(run))" : run + redirect
        return try ProcessRunner.run(["/bin/bash", "-c", script, argv0, backend] + arguments,
                                     environment: env, timeout: timeout)
    }

    @Test func discoveryListsTheScheme() throws {
        let result = try ProcessRunner.run([backend], environment: [:])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("network tollgate \"Unknown\" \""))
        #expect(result.stdout.split(separator: "\n").count == 1)
    }

    @Test(arguments: [["1"], ["1", "u", "t", "1"], ["1", "u", "t", "1", "", "f", "extra"]])
    func wrongArgumentCountPrintsUsage(arguments: [String]) throws {
        let result = try ProcessRunner.run([backend] + arguments, environment: [:])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Usage: "))
        #expect(result.stderr.contains("job-id user title copies options [file]"))
    }

    @Test func fileJobRunsRealBackendAsCupsdWould() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let document = try box.root.write("doc.pdf", "%PDF-1.4 not really\n")
        let env = box.environment(deviceURI: "tollgate:fake://user:pw@printer/queue")
        let result = try runWrapper(argv0: "tollgate:fake://printer/queue",
                                    ["12", "alice", "Thesis", "3", "sides=one-sided", document], env: env)
        #expect(result.status == 0)
        let record = try box.record()
        #expect(record["argv[0]"] == "fake://printer/queue")
        #expect(record["argv[1]"] == "12")
        #expect(record["argv[2]"] == "alice")
        #expect(record["argv[3]"] == "Thesis")
        #expect(record["argv[4]"] == "3")
        #expect(record["argv[5]"] == "sides=one-sided")
        #expect(record["argv[6]"] == document)
        #expect(record["DEVICE_URI"] == "fake://user:pw@printer/queue")
        #expect(record["fd3"] == "1" && record["fd4"] == "1")
        #expect(record["blocked_sigterm"] == "0")
        #expect(record["sigpipe_default"] == "1")
        #expect(record["uid"] == "0", "a 0700 real backend runs as root, as cupsd would run it")
        #expect(result.stderr.contains("INFO: fake backend says hello"), "the real backend's status lines pass through")
        #expect(!result.stderr.contains("pw@"), "credentials stay out of the log")
    }

    @Test(arguments: [false, true])
    func stdinJobIsSpooledAndGivenOnStdin(throughPipe: Bool) throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        // 5 MiB plus a bit: several spool chunks, not a multiple of the chunk size.
        var bytes = [UInt8](repeating: 0, count: 5 * 1_048_576 + 12345)
        for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 2654435761 >> 13) }
        let input = box.root.path + "/input.bin"
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let result = try runWrapper(argv0: "tollgate:fake://p", ["5", "bob", "t", "1", ""],
                                    env: box.environment(deviceURI: "tollgate:fake://p"), input: input, throughPipe: throughPipe)
        #expect(result.status == 0)
        #expect(result.stderr.contains("DEBUG: Tollgate: spooled \(bytes.count) bytes from stdin"))
        let record = try box.record()
        #expect(record["argv[6]"] == nil, "a stdin job stays a stdin job for the real backend")
        let received = try Data(contentsOf: URL(fileURLWithPath: box.records + "/stdin"))
        #expect(received == Data(bytes))
        #expect(try box.spoolLeftovers().isEmpty)
    }

    @Test func unprivilegedRealBackendRunsAsCupsUser() throws {
        try #require(getuid() == 0, "needs root, as cupsd runs the wrapper")
        let box = try WrapperSandbox(fakeMode: 0o755)
        try box.root.write("etc/cups-files.conf", "User nobody\nGroup nogroup\n")
        let result = try runWrapper(argv0: "tollgate:fake://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:fake://p"))
        #expect(result.status == 0, "\(result.stderr)")
        let record = try box.record()
        #expect(record["uid"] == String(getpwnam("nobody")!.pointee.pw_uid))
        #expect(record["gid"] == String(getgrnam("nogroup")!.pointee.gr_gid))
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7])
    func exitCodePassesThrough(code: Int) throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let result = try runWrapper(argv0: "tollgate:fake://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:fake://p", fakeMode: "exit:\(code)"))
        #expect(result.status == Int32(code))
        #expect(!result.signaled)
    }

    @Test func crashOfRealBackendIsPassedOnAsTheSameSignal() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let result = try runWrapper(argv0: "tollgate:fake://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:fake://p", fakeMode: "crash"))
        #expect(result.signaled)
        #expect(result.status == SIGSEGV)
    }

    @Test func cancelReachesTheRealBackendAndLeavesNothing() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let input = try box.root.write("in.txt", "hello\n")
        let env = box.environment(deviceURI: "tollgate:fake://p", fakeMode: "sleep")
        let process = try RunningProcess(["/bin/bash", "-c", "exec -a \"$0\" \"$@\"", "tollgate:fake://p", backend, "9", "u", "t", "1", ""],
                                         environment: env, stdinPath: input)
        let started = box.records + "/started"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: started) && Date() < deadline { usleep(20_000) }
        try #require(FileManager.default.fileExists(atPath: started), "the real backend did not start")
        usleep(50_000)
        let childPID = try #require(Int32(String(contentsOfFile: started, encoding: .utf8)))
        #expect(kill(childPID, 0) == 0, "the real backend is running")
        process.signal(SIGTERM)   // what cupsd does on cancel
        let result = try process.wait(timeout: 20)
        #expect(result.signaled)
        #expect(result.status == SIGTERM)
        #expect(FileManager.default.fileExists(atPath: box.records + "/terminated"), "SIGTERM was forwarded")
        #expect(kill(childPID, 0) == -1 && errno == ESRCH, "the real backend is gone and reaped")
        #expect(try box.spoolLeftovers().isEmpty)
    }

    @Test func productBackendWithoutCupsdRetriesInsteadOfPrinting() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let product = BuiltProducts.executable("tollgate-backend")
        let script = "exec -a \"$0\" \"$@\" </dev/null"
        let env = box.environment(deviceURI: "tollgate:fake://p", extra: ["CUPS_SERVER": box.root.path + "/no-cupsd.sock",
                                                                          "TOLLGATE_GATE_SOCKET": box.root.path + "/no-gate.sock",
                                                                          "TOLLGATE_GATE_PROGRAM": BuiltProducts.executable("tollgate-gate")])
        let result = try ProcessRunner.run(["/bin/bash", "-c", script, "tollgate:fake://p", product, "1", "u", "t", "1", "", "/dev/null"],
                                           environment: env)
        #expect(result.status == 6, "CUPS_BACKEND_RETRY: \(result.stderr)")
        #expect(result.stderr.contains("cannot reach cupsd"))
        #expect(!FileManager.default.fileExists(atPath: box.records + "/record"), "nothing was printed")
    }

    @Test func missingRealBackendStopsTheQueue() throws {
        let box = try WrapperSandbox()
        let result = try runWrapper(argv0: "tollgate:nosuch://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:nosuch://p"))
        #expect(result.status == 4)
        #expect(result.stderr.contains("ERROR: Tollgate: the real backend \(box.serverBin)/backend/nosuch does not exist"))
    }

    @Test func insecureRealBackendIsRefused() throws {
        let box = try WrapperSandbox(fakeMode: 0o775)
        let result = try runWrapper(argv0: "tollgate:fake://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:fake://p"))
        #expect(result.status == 4)
        #expect(result.stderr.contains("writable by group or others"))
        #expect(!FileManager.default.fileExists(atPath: box.records + "/record"), "it never ran")
    }

    @Test func realBackendInAWritableDirectoryIsRefused() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let open = box.root.path + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o777)
        try FileManager.default.copyItem(atPath: FakeRealBackend.binary, toPath: open + "/evil")
        chmod(open + "/evil", 0o700)
        try FileManager.default.createSymbolicLink(atPath: box.serverBin + "/backend/evil", withDestinationPath: open + "/evil")
        let result = try runWrapper(argv0: "tollgate:evil://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:evil://p"))
        #expect(result.status == 4)
        #expect(result.stderr.contains("its directory \(open) is writable by group or others"))
        #expect(!FileManager.default.fileExists(atPath: box.records + "/record"), "it never ran")
    }

    @Test func spoolFailureStopsTheQueueAndKeepsTheJob() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let input = try box.root.write("in.txt", "hello\n")
        let result = try runWrapper(argv0: "tollgate:fake://p", ["1", "u", "t", "1", ""],
                                    env: box.environment(deviceURI: "tollgate:fake://p", extra: ["TMPDIR": "/nonexistent-tollgate-dir"]),
                                    input: input)
        #expect(result.status == 4)
        #expect(result.stderr.contains("ERROR: Tollgate: cannot spool the job in /nonexistent-tollgate-dir: No such file or directory"))
        #expect(!FileManager.default.fileExists(atPath: box.records + "/record"))
    }

    @Test func nonExecutableRealBackendIsRefused() throws {
        let box = try WrapperSandbox(fakeMode: 0o600)
        let result = try runWrapper(argv0: "tollgate:fake://p", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: "tollgate:fake://p"))
        #expect(result.status == 4)
        #expect(result.stderr.contains("is not an executable file"))
    }

    @Test(arguments: ["tollgate:", "tollgate:tollgate:fake://p", "tollgate:not a uri"])
    func badDeviceURIStopsTheQueue(uri: String) throws {
        let box = try WrapperSandbox()
        let result = try runWrapper(argv0: uri, ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: uri))
        #expect(result.status == 4)
        #expect(result.stderr.contains("ERROR: Tollgate: "))
        #expect(!FileManager.default.fileExists(atPath: box.records + "/record"))
    }

    @Test func deviceURIFromArgv0WhenEnvironmentHasNone() throws {
        let box = try WrapperSandbox(fakeMode: 0o700)
        let result = try runWrapper(argv0: "tollgate:fake://from-argv0", ["1", "u", "t", "1", "", "/dev/null"],
                                    env: box.environment(deviceURI: nil))
        #expect(result.status == 0)
        #expect(try box.record()["DEVICE_URI"] == "fake://from-argv0")
    }
}
