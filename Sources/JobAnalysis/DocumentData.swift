#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The document's bytes, memory-mapped read-only from a regular file (no copy, constant resident
/// memory), plus a way for child processes (Ghostscript) to read the same document.
///
/// A document given as a non-seekable descriptor (a pipe on stdin) is first copied into an
/// unlinked temporary file, so every format sees a regular file.
final class DocumentData {
    /// The open, regular-file descriptor (owned: closed on deinit).
    let fd: Int32
    /// A path a child process may open, when the document came from a path; `nil` when it came
    /// from a descriptor (children then read it on their stdin, see ``childInput``).
    let path: String?
    /// The document's size; for a pipe that held more than `maxBytes`, the `maxBytes + 1` bytes
    /// kept of it (see ``isWhole``).
    let count: Int
    /// False when a pipe held more than `maxBytes`: the rest was not read, and ``count`` is not
    /// the document's size. (A regular file is never cut: its size is known without reading it.)
    let isWhole: Bool
    private let base: UnsafeRawPointer?

    /// Opens `path` read-only.
    convenience init(path: String, maxBytes: Int) throws(AnalysisError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        try self.init(ownedDescriptor: fd, path: path, label: path, maxBytes: maxBytes)
    }

    /// Reads the document from `descriptor` (not closed; duplicated).
    convenience init(descriptor: Int32, maxBytes: Int) throws(AnalysisError) {
        let label = "descriptor \(descriptor)"
        let fd = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
        guard fd >= 0 else { throw .cannotOpen(path: label, reason: String(cString: strerror(errno))) }
        try self.init(ownedDescriptor: fd, path: nil, label: label, maxBytes: maxBytes)
    }

    private init(ownedDescriptor: Int32, path: String?, label: String, maxBytes: Int) throws(AnalysisError) {
        var fd = ownedDescriptor
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd); throw .cannotOpen(path: label, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { close(fd); throw .cannotOpen(path: label, reason: "it is a directory") }
        var childPath = path
        var whole = true
        if (st.st_mode & S_IFMT) != S_IFREG {
            // Failure policy: a pipe is copied into an unlinked temporary file up to maxBytes + 1
            // bytes, enough to know that it is too large (the analyser then says so).
            let copy = Self.anonymousFile()
            guard copy >= 0 else { close(fd); throw .cannotOpen(path: label, reason: "temporary file: " + String(cString: strerror(errno))) }
            var total = 0
            let chunk = 1 << 16
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = read(fd, buffer, chunk)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { close(fd); close(copy); throw .cannotOpen(path: label, reason: String(cString: strerror(errno))) }
                if n == 0 { break }
                let kept = min(n, maxBytes + 1 - total)
                total += kept
                var written = 0
                while written < kept {
                    let w = write(copy, buffer + written, kept - written)
                    if w < 0 && errno == EINTR { continue }
                    if w < 0 { close(fd); close(copy); throw .cannotOpen(path: label, reason: "copying: " + String(cString: strerror(errno))) }
                    written += w
                }
                if total > maxBytes { whole = false; break }
            }
            close(fd)
            fd = copy
            childPath = nil
            guard fstat(fd, &st) == 0 else { close(fd); throw .cannotOpen(path: label, reason: String(cString: strerror(errno))) }
        }
        let size = Int(st.st_size)
        self.fd = fd
        self.path = childPath
        self.count = size
        self.isWhole = whole
        if size > 0 {
            let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
            guard let p, p != MAP_FAILED else {
                close(fd); throw .cannotOpen(path: label, reason: "mmap: " + String(cString: strerror(errno)))
            }
            self.base = UnsafeRawPointer(p)
        } else {
            self.base = nil
        }
    }

    /// An unlinked temporary file in $TMPDIR (or /tmp), close-on-exec.
    private static func anonymousFile() -> Int32 {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((directory + "/tollgate-analyse-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return -1 }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
        close(fd)
        if case .made(let copy) = copy { close(copy) }
    }

    /// The bytes (valid while `self` lives).
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// How a child process (Ghostscript) reads the document: its operands and the descriptor for
    /// its stdin. Ghostscript reads a document named `-` one byte per read() (it waits for each
    /// byte as an interactive previewer would): a 20 MB PostScript cost 20 million system calls,
    /// 8.5 of the 8.7 s its analysis took, and a PDF on `-` is first copied to a temporary file
    /// byte by byte. So, in order of preference:
    /// 1. the path the document was opened by, when there is one (`-f` keeps a name starting
    ///    with `-` an operand);
    /// 2. `/dev/fd/0`, the document on the child's stdin, when this process may reopen it (a file
    ///    it can read as the user it now is, such as its own copy of a pipe); Ghostscript then
    ///    reads and seeks it as a file, and -dSAFER permits a file named on the command line;
    /// 3. for a document the unprivileged analyser may only read through the descriptor it
    ///    inherited (the backend's private spool file is root's, mode 0600): `-_`, the document
    ///    on stdin read in blocks, when reading it once from the start is enough (PostScript),
    ///    else (`seekable`, PDF) `/dev/fd/0` on a copy of our own. Ghostscript would copy it
    ///    itself, to a named temporary file that a Ghostscript killed at its time limit leaves
    ///    behind; ours is unlinked at once (and within RLIMIT_FSIZE).
    func childInput(seekable: Bool) -> (operands: [String], stdin: Int32?) {
        if let path { return (["-f", path], nil) }
        if canReopen { return (["-f", "/dev/fd/0"], fd) }
        if seekable, let copy = ownCopy() { return (["-f", "/dev/fd/0"], copy) }
        return (["-_"], fd)
    }

    /// Whether this process can open the document again through /proc (checked once).
    private lazy var canReopen: Bool = Self.canReopen(fd)

    private enum Copy { case notMade, made(Int32), impossible }
    private var copy = Copy.notMade

    /// An unlinked copy of the document that this process may reopen (made once, when first
    /// asked for; `nil` if it cannot be made).
    private func ownCopy() -> Int32? {
        switch copy {
        case .made(let fd): return fd
        case .impossible: return nil
        case .notMade: break
        }
        copy = .impossible
        let fd = Self.anonymousFile()
        guard fd >= 0 else { return nil }
        var written = 0
        while written < count {
            let n = write(fd, base! + written, count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { close(fd); return nil }
            written += n
        }
        guard Self.canReopen(fd) else { close(fd); return nil }
        copy = .made(fd)
        return fd
    }

    private static func canReopen(_ fd: Int32) -> Bool {
        let again = open("/proc/self/fd/\(fd)", O_RDONLY | O_CLOEXEC)
        guard again >= 0 else { return false }
        close(again)
        return true
    }
}
