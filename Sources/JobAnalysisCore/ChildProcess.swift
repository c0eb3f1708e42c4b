import CBackendSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs a helper program (Ghostscript, `tollgate-analyse`) with a wall-clock limit, streaming its
/// standard output to a callback.
///
/// The child gets an empty signal mask, default signal dispositions, stdin from the given
/// descriptor (or /dev/null) and stderr to /dev/null. When the deadline passes, or the callback
/// asks to stop, it is sent SIGKILL and reaped: no child outlives the call. With
/// `newProcessGroup` the child leads its own process group and the whole group is killed (used
/// for `tollgate-analyse`, so its Ghostscript dies with it); without it the child stays in our
/// group, so whoever kills our group kills it too (used for Ghostscript). Failure policy: a child that cannot be started, is killed or exits non-zero
/// is reported as such; callers decide (the analyser then marks the affected figures unknown).
/// Package-wide: the analysers in JobAnalysis run Ghostscript with it.
package struct ChildProcess {
    var executable: String
    var arguments: [String]
    /// Descriptor for the child's stdin (duplicated; rewound to offset 0 first), or nil for /dev/null.
    var stdinDescriptor: Int32?
    var timeout: Duration
    /// Extra environment (PATH and LANG=C are always set).
    var environment: [String] = []
    /// Start the child in a process group of its own (and kill that group at the end).
    var newProcessGroup = false

    package init(executable: String, arguments: [String], stdinDescriptor: Int32?, timeout: Duration,
                 environment: [String] = [], newProcessGroup: Bool = false) {
        self.executable = executable
        self.arguments = arguments
        self.stdinDescriptor = stdinDescriptor
        self.timeout = timeout
        self.environment = environment
        self.newProcessGroup = newProcessGroup
    }

    package enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case stoppedByReader
        case couldNotStart(String)

        package var succeeded: Bool { self == .exited(0) }
        package var description: String {
            switch self {
            case .exited(let s): return "exit status \(s)"
            case .signalled(let s): return "killed by signal \(s)"
            case .timedOut: return "time limit reached, killed"
            case .stoppedByReader: return "stopped"
            case .couldNotStart(let why): return "could not start: \(why)"
            }
        }
    }

    /// Linux's F_SETPIPE_SZ (a _GNU_SOURCE constant Swift does not import).
    static let setPipeSize: Int32 = 1031
    /// The pipe's capacity and the reader's chunk: Linux's default pipe-max-size.
    static let pipeBytes: Int32 = 1 << 20

    /// Runs the child; `output` receives stdout chunks and returns `false` to stop the child.
    package func run(output: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
        switch start() {
        case .failed(let outcome): return outcome
        case .running(let child): return child.finish(output: output)
        }
    }

    /// A started child, or why it could not start.
    package enum Started {
        case running(Running)
        case failed(Outcome)
    }

    /// Starts the child and returns at once, so the caller can do other work while it runs (its
    /// output waits in the pipe); ``Running/finish(output:)`` then reads it. The time limit runs
    /// from here.
    package func start() -> Started {
        var fds: [Int32] = [-1, -1]
        // Close-on-exec from the start, so no other child (of another thread) inherits the pipe.
        guard tollgate_pipe_cloexec(&fds) == 0 else { return .failed(.couldNotStart("pipe: " + String(cString: strerror(errno)))) }
        let readEnd = fds[0], writeEnd = fds[1]
        // A 1 MiB pipe (best effort): Ghostscript sends 1.5 MB of pixels per page in 4 KiB
        // writes, and with the default 64 KiB each handful of writes woke this reader; the
        // switches cost more than rendering (3300 text pages: 7.2 s through 64 KiB, 3.7 s through
        // 1 MiB, 2.0 s for Ghostscript alone).
        _ = fcntl(writeEnd, Self.setPipeSize, Self.pipeBytes)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input = stdinDescriptor {
            lseek(input, 0, SEEK_SET)
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Nothing else of this process reaches the child (the gate service's database
        // connections and other jobs' sockets, whatever their close-on-exec flags).
        _ = tollgate_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        let groupFlag = newProcessGroup ? POSIX_SPAWN_SETPGROUP : 0
        posix_spawnattr_setflags(&attributes, Int16(groupFlag | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = (["PATH=/usr/bin:/bin", "LANG=C"] + environment).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(writeEnd)
        guard spawned == 0 else {
            close(readEnd)
            return .failed(.couldNotStart("\(executable): " + String(cString: strerror(spawned))))
        }
        return .running(Running(pid: pid, readEnd: readEnd, deadline: ContinuousClock().now.advanced(by: timeout),
                                newProcessGroup: newProcessGroup))
    }

    /// A child started by ``start()``. If it is dropped without ``finish(output:)``, it is killed
    /// (with its process group) and reaped: no child outlives its owner.
    package final class Running {
        let pid: pid_t
        let readEnd: Int32
        /// When the child is killed; a spare analyser's starts when it is handed its document.
        var deadline: ContinuousClock.Instant
        let newProcessGroup: Bool
        private var finished = false
        private var outputClosed = false

        init(pid: pid_t, readEnd: Int32, deadline: ContinuousClock.Instant, newProcessGroup: Bool) {
            self.pid = pid
            self.readEnd = readEnd
            self.deadline = deadline
            self.newProcessGroup = newProcessGroup
        }

        deinit {
            guard !finished else { return }
            if !outputClosed { close(readEnd) }
            if newProcessGroup { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }

        /// Reads the child's output to the end (`output` returns `false` to stop the child), then
        /// reaps it. Call once.
        package func finish(output: (UnsafeRawBufferPointer) -> Bool) -> Outcome {
            reap(after: readOutput(output))
        }

        /// Reads the child's output to its end (nil), or until the deadline or the reader stopped
        /// it (that outcome). Then ``reap(after:)`` or ``reapIfExited()``; call once.
        package func readOutput(_ output: (UnsafeRawBufferPointer) -> Bool) -> Outcome? {
        precondition(!finished && !outputClosed, "ChildProcess.Running output read twice")
        let clock = ContinuousClock()
        var outcome: Outcome?
        let chunk = Int(ChildProcess.pipeBytes)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        reading: while true {
            let remaining = clock.now.duration(to: deadline)
            if remaining <= .zero { outcome = .timedOut; break }
            var pfd = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(min(Double(Int32.max), max(1, remaining.milliseconds.rounded(.up))))
            let ready = poll(&pfd, 1, ms)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue } // deadline re-checked at the top
            let n = read(readEnd, buffer, chunk)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { break reading }
            if !output(UnsafeRawBufferPointer(start: buffer, count: n)) { outcome = .stoppedByReader; break }
        }
        close(readEnd)
        outputClosed = true
        return outcome
        }

        /// Reaps the child (and its group) if it has exited, without waiting; true when done.
        package func reapIfExited() -> Bool {
            guard !finished else { return true }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return false }
            finished = true
            if newProcessGroup { kill(-pid, SIGKILL) }
            return true
        }

        /// Waits for the child after ``readOutput(_:)`` (killing it first when that ended early,
        /// and at the deadline) and says how it ended.
        package func reap(after early: Outcome?) -> Outcome {
        finished = true
        let clock = ContinuousClock()
        var outcome = early
        func killChild() {
            if newProcessGroup { kill(-pid, SIGKILL) }
            kill(pid, SIGKILL)
        }
        if outcome != nil { killChild() }
        var status: Int32 = 0
        // After EOF the child normally exits at once; give it until the deadline, then kill. The
        // poll interval starts short (the child is usually already exiting: a fixed 2 ms sleep
        // was a visible part of every job) and backs off to 2 ms.
        var pause: UInt32 = 20
        while true {
            let r = waitpid(pid, &status, outcome == nil ? WNOHANG : 0)
            if r == pid { break }
            if r < 0 && errno != EINTR { return outcome ?? .couldNotStart("waitpid: " + String(cString: strerror(errno))) }
            if r == 0 {
                if clock.now >= deadline { outcome = .timedOut; killChild(); continue }
                usleep(pause)
                pause = min(pause * 2, 2000)
            }
        }
        // Anything left in the child's own group (its Ghostscript) goes with it.
        if newProcessGroup { kill(-pid, SIGKILL) }
        if let outcome { return outcome }
        if status & 0x7f == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
        }
    }
}
