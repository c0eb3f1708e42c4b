import Foundation
import TestSupport

/// A stand-in for a real CUPS backend (ipp, socket …) that records how it was started: argv
/// (argv[0] included, hence C: a script never sees its argv[0]), DEVICE_URI, ids, inherited
/// descriptors, the signal mask and its stdin; then exits, sleeps or crashes as `FAKE_MODE` says.
enum FakeRealBackend {
    static let source = #"""
    #include <fcntl.h>
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <unistd.h>

    static char record_dir[4096];

    static void on_term(int sig) {
        char path[4200];
        snprintf(path, sizeof path, "%s/terminated", record_dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0) { write(fd, "SIGTERM\n", 8); close(fd); }
        signal(sig, SIG_DFL);
        raise(sig);
    }

    int main(int argc, char **argv) {
        const char *dir = getenv("RECORD_DIR");
        const char *mode = getenv("FAKE_MODE");
        if (!dir) return 99;
        snprintf(record_dir, sizeof record_dir, "%s", dir);
        char path[4200];
        snprintf(path, sizeof path, "%s/record", dir);
        FILE *f = fopen(path, "w");
        if (!f) return 98;
        for (int i = 0; i < argc; i++) fprintf(f, "argv[%d]=%s\n", i, argv[i]);
        fprintf(f, "DEVICE_URI=%s\n", getenv("DEVICE_URI") ? getenv("DEVICE_URI") : "(unset)");
        fprintf(f, "uid=%d\ngid=%d\n", (int)getuid(), (int)getgid());
        fprintf(f, "fd3=%d\nfd4=%d\n", fcntl(3, F_GETFD) != -1, fcntl(4, F_GETFD) != -1);
        sigset_t mask;
        sigprocmask(SIG_SETMASK, NULL, &mask);
        fprintf(f, "blocked_sigterm=%d\n", sigismember(&mask, SIGTERM));
        struct sigaction current;
        sigaction(SIGPIPE, NULL, &current);
        fprintf(f, "sigpipe_default=%d\n", current.sa_handler == SIG_DFL);
        fclose(f);

        snprintf(path, sizeof path, "%s/stdin", dir);
        int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (argc == 6 && out >= 0) {
            char buffer[65536];
            ssize_t n;
            while ((n = read(0, buffer, sizeof buffer)) > 0) write(out, buffer, (size_t)n);
        }
        if (out >= 0) close(out);
        fputs("INFO: fake backend says hello\n", stderr);

        if (mode && !strncmp(mode, "exit:", 5)) return atoi(mode + 5);
        if (mode && !strcmp(mode, "sleep")) {
            signal(SIGTERM, on_term);
            snprintf(path, sizeof path, "%s/started", dir);
            FILE *started = fopen(path, "w");
            if (started) { fprintf(started, "%d", (int)getpid()); fclose(started); }
            for (;;) pause();
        }
        if (mode && !strcmp(mode, "crash")) { signal(SIGSEGV, SIG_DFL); raise(SIGSEGV); }
        return 0;
    }
    """#

    /// Compiles the fake once per test run and returns the binary's path.
    static let binary: String = {
        let dir = NSTemporaryDirectory() + "tollgate-fake-backend-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let src = dir + "/fake.c", bin = dir + "/fake"
        try! source.write(toFile: src, atomically: true, encoding: .utf8)
        let compiler = ["cc", "clang", "gcc"].first { (try? ProcessRunner.shell("command -v \($0)").status) == 0 } ?? "cc"
        let result = try! ProcessRunner.run([compiler, "-O1", "-o", bin, src])
        precondition(result.status == 0, "cannot compile the fake backend: \(result.stderr)")
        return bin
    }()
}

/// A private ServerBin/ServerRoot pair for running the wrapper outside cupsd.
final class WrapperSandbox {
    let root: TemporaryDirectory
    let records: String
    var serverBin: String { root.path + "/serverbin" }
    var serverRoot: String { root.path + "/etc" }
    var tmp: String { root.path + "/tmp" }

    init(fakeMode: mode_t = 0o755, scheme: String = "fake") throws {
        root = try TemporaryDirectory()
        records = root.path + "/records"
        for dir in [serverBin, serverBin + "/backend", serverRoot, tmp, records] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o755)
        }
        chmod(records, 0o777)
        chmod(tmp, 0o1777)
        try installFake(scheme: scheme, mode: fakeMode)
    }

    func installFake(scheme: String, mode: mode_t) throws {
        let target = serverBin + "/backend/" + scheme
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: FakeRealBackend.binary, toPath: target)
        chmod(target, mode)
    }

    func environment(deviceURI: String?, fakeMode: String = "exit:0", extra: [String: String] = [:]) -> [String: String] {
        var env = ["PATH": "/usr/bin:/bin", "CUPS_SERVERBIN": serverBin, "CUPS_SERVERROOT": serverRoot,
                   "TMPDIR": tmp, "RECORD_DIR": records, "FAKE_MODE": fakeMode]
        if let deviceURI { env["DEVICE_URI"] = deviceURI }
        return env.merging(extra) { $1 }
    }

    func record() throws -> [String: String] {
        let text = try String(contentsOfFile: records + "/record", encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            values[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return values
    }

    func spoolLeftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("tollgate-") }
    }
}
