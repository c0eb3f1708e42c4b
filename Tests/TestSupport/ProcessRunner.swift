import Foundation

/// The result of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    /// True when the process ended by a signal; `status` is then the signal number.
    public var signaled: Bool
    public var stdout: String
    public var stderr: String
}

/// Runs programs for tests, with a time limit after which the process is killed.
///
/// Built on posix_spawn and waitpid rather than Foundation's Process, whose SIGCHLD handling on
/// Linux can miss the exit of a child that started daemons (seen with the bench script), and
/// which lets descriptors above 2 leak into children: here every descriptor above 2 is closed.
public enum ProcessRunner {
    /// Runs `arguments` (argv[0] is a path, or a name looked up in PATH) and waits.
    /// `environment` nil means this process's environment. `stdinFile` or `stdin` feed stdin.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil, stdinFile: String? = nil,
                           timeout: TimeInterval = 60) throws -> ProcessResult {
        var stdinPath = stdinFile ?? "/dev/null"
        var temporary: String? = nil
        if let stdin {
            let path = NSTemporaryDirectory() + "tollgate-stdin-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
            try stdin.write(to: URL(fileURLWithPath: path))
            stdinPath = path
            temporary = path
        }
        defer { if let temporary { unlink(temporary) } }
        let child = try RunningProcess(arguments, environment: environment, stdinPath: stdinPath, captureOutput: true)
        return try child.wait(timeout: timeout)
    }

    /// Runs a shell command line with bash and returns its result.
    @discardableResult
    public static func shell(_ command: String, environment: [String: String]? = nil,
                             timeout: TimeInterval = 60) throws -> ProcessResult {
        try run(["/bin/bash", "-c", command], environment: environment, timeout: timeout)
    }
}

/// A child process started with posix_spawn.
public final class RunningProcess: @unchecked Sendable {
    public let pid: pid_t
    private var outFD: Int32 = -1
    private var errFD: Int32 = -1
    private var reaped: ProcessResult? = nil
    private let description: String

    /// Starts `arguments` with stdin from `stdinPath`; stdout and stderr are captured when
    /// `captureOutput`, else inherited.
    public init(_ arguments: [String], environment: [String: String]? = nil,
                stdinPath: String = "/dev/null", captureOutput: Bool = true) throws {
        description = arguments.joined(separator: " ")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
                throw TestFailure("pipe failed: \(errno)")
            }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        }
        RunningProcess.markDescriptorsCloseOnExec()
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // The calling thread may block signals (dispatch and Swift concurrency threads do); a
        // child must start with an empty mask and default actions, or daemons it starts ignore
        // SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = withCStrings(arguments) { argv in
            withCStrings(env) { envp in
                posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
            }
        }
        if captureOutput {
            close(outPipe[1])
            close(errPipe[1])
        }
        guard rc == 0 else {
            if captureOutput { close(outPipe[0]); close(errPipe[0]) }
            throw TestFailure("cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        self.outFD = captureOutput ? outPipe[0] : -1
        self.errFD = captureOutput ? errPipe[0] : -1
    }

    /// Sets close-on-exec on every descriptor above 2 of this process, so that children get only
    /// stdin, stdout and stderr (the test harness has sockets open that daemons must not keep).
    static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for fd in entries.compactMap(Int32.init) where fd > 2 {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Sends `signal` to the process.
    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Reads its output to the end and reaps it; kills it if it runs past `timeout`.
    public func wait(timeout: TimeInterval = 60) throws -> ProcessResult {
        if let reaped { return reaped }
        let deadline = Date().addingTimeInterval(timeout)
        var out = [UInt8](), err = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var open = [outFD, errFD].filter { $0 >= 0 }
        while !open.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return try killAfterTimeout(timeout) }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let n = read(entry.fd, &buffer, buffer.count)
                if n > 0 {
                    if entry.fd == outFD { out += buffer[..<n] } else { err += buffer[..<n] }
                } else if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { throw TestFailure("waitpid failed for \(description): \(errno)") }
            guard Date() < deadline else { return try killAfterTimeout(timeout) }
            usleep(10_000)
        }
        let signaled = status & 0x7F != 0
        let result = ProcessResult(status: signaled ? status & 0x7F : (status >> 8) & 0xFF, signaled: signaled,
                                   stdout: String(decoding: out, as: UTF8.self),
                                   stderr: String(decoding: err, as: UTF8.self))
        reaped = result
        return result
    }

    private func killAfterTimeout(_ timeout: TimeInterval) throws -> ProcessResult {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        for fd in [outFD, errFD] where fd >= 0 { close(fd) }
        outFD = -1
        errFD = -1
        throw TestFailure("\(description) did not finish within \(timeout) s and was killed")
    }
}

private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// A test precondition that did not hold, with a message saying what.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    /// Creates a directory with the given permissions (0755 so that `lp` can traverse it).
    public init(mode: Int = 0o755) throws {
        let template = NSTemporaryDirectory() + "tollgate-test.XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let result = mkdtemp(&bytes) else { throw TestFailure("mkdtemp failed: \(errno)") }
        path = String(cString: result)
        chmod(path, mode_t(mode))
    }

    /// Writes `text` to `name` inside the directory with the given mode and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, mode_t(mode))
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
