import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import BackendCore

@Suite struct ExitCodeAndPolicyTests {
    @Test func exitCodesMatchBackendH() {
        #expect(BackendExitCode.allCases.map(\.rawValue) == Array(0...7))
        #expect(BackendExitCode.hold.constantName == "CUPS_BACKEND_HOLD")
        #expect(BackendExitCode.stop.constantName == "CUPS_BACKEND_STOP")
        #expect(BackendExitCode.retryCurrent.constantName == "CUPS_BACKEND_RETRY_CURRENT")
    }

    /// Configuration mistakes stop the queue and keep the job; nothing prints, nothing is lost.
    @Test(arguments: [
        BackendError.emptyRealURI, .recursiveURI, .notATollgateURI("x"), .malformedRealURI(uri: "x", reason: "y"),
        .realBackendMissing(path: "/x"), .realBackendNotExecutable(path: "/x"),
        .realBackendInsecure(path: "/x", reason: "y"), .unknownRunUser(user: "u", group: "g"),
        .spoolFailed(directory: "/tmp", errno: ENOSPC), .spawnFailed(path: "/x", errno: EACCES),
    ])
    func configurationErrorsStopTheQueue(error: BackendError) {
        #expect(error.exitCode == .stop)
        #expect(error.message.hasPrefix("Tollgate: "))
        #expect(!error.message.contains("\n"))
    }

    @Test func cancelBeforeStartCancels() {
        #expect(BackendError.cancelledBeforeStart.exitCode == .cancel)
    }

    /// cupsd's rule from scheduler/job.c, applied to the real backend.
    @Test(arguments: [
        (uid_t(0), mode_t(0o700), PrivilegeDecision.keepCurrentUser),
        (0, 0o744, .keepCurrentUser),
        (0, 0o750, .keepCurrentUser),
        (0, 0o755, .dropToRunUser),
        (0, 0o711, .dropToRunUser),
        (0, 0o775, .dropToRunUser),
        (7, 0o700, .keepCurrentUser),
        (7, 0o755, .keepCurrentUser),
    ])
    func privilegeDecision(euid: uid_t, mode: mode_t, expected: PrivilegeDecision) {
        #expect(PrivilegeDecision(effectiveUID: euid, realBackendMode: mode) == expected)
    }

    @Test func runUserFromCupsFilesConf() {
        #expect(CupsRunUser(cupsFilesConf: "") == CupsRunUser(user: "lp", group: "lp"))
        let text = "# comment\n#User root\nSystemGroup lpadmin\nuser  daemon\n\tGroup\tnogroup\r\nLogFilePerm 0640\n"
        #expect(CupsRunUser(cupsFilesConf: text) == CupsRunUser(user: "daemon", group: "nogroup"))
    }

    @Test func runUserResolvesNamesAndRefusesUnknown() throws {
        let ids = try CupsRunUser(user: "root", group: "root").resolve()
        #expect(ids.uid == 0 && ids.gid == 0)
        #expect(throws: BackendError.unknownRunUser(user: "no-such-user-tollgate", group: "lp")) {
            try CupsRunUser(user: "no-such-user-tollgate", group: "lp").resolve()
        }
    }

    @Test func logLinesCannotBeForged() {
        #expect(BackendLog.singleLine("title\nERROR: forged\r\u{7f}x") == "title ERROR: forged  x")
    }
}
