import CBackendSupport
#if canImport(Glibc)
import Glibc
#endif

/// A job copied from stdin into a private temporary file.
///
/// The file is created with mode 0600 in `$TMPDIR` and unlinked at once, so it has no name that
/// could be left behind: it disappears with its last descriptor on every exit path, SIGKILL
/// included. The descriptor becomes the real backend's stdin.
public final class SpoolFile {
    /// Read/write descriptor, positioned at the start after spooling.
    public let fd: Int32
    /// Bytes spooled.
    public let size: Int

    /// Size of the copy buffer: large enough to keep pace with `cat`, small enough to keep the
    /// backend's memory flat whatever the job's size.
    public static let chunkSize = 1 << 20

    /// Copies `input` to end of file into a new spool file in `directory`, checking for a
    /// cancel from cupsd between chunks.
    public init(copying input: Int32, into directory: String, signals: JobSignals) throws(BackendError) {
        var template = Array((directory + "/tollgate-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .spoolFailed(directory: directory, errno: errno) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }

        var total = 0
        do throws(BackendError) {
            total = try SpoolFile.copy(from: input, to: fd, directory: directory, signals: signals)
        } catch {
            close(fd)
            throw error
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            let code = errno
            close(fd)
            throw .spoolFailed(directory: directory, errno: code)
        }
        self.fd = fd
        self.size = total
    }

    deinit {
        close(fd)
    }

    /// Copies `input` to the end into `output`: with splice(2) while `input` is a pipe (as from
    /// cupsd's filter chain: no copy through user space), else with read/write through one
    /// buffer. Memory stays at one chunk whatever the job's size.
    private static func copy(from input: Int32, to output: Int32, directory: String,
                             signals: JobSignals) throws(BackendError) -> Int {
        var total = 0
        var canSplice = true
        var buffer: UnsafeMutableRawPointer? = nil
        defer { buffer?.deallocate() }
        while true {
            if signals.cancelPending() { throw .cancelledBeforeStart }
            if canSplice {
                let moved = tollgate_splice_to_file(input, output, UInt(chunkSize))
                if moved > 0 { total += moved; continue }
                if moved == 0 { return total }
                if errno == EINTR { continue }
                guard errno == EINVAL || errno == ENOSYS else { throw .spoolFailed(directory: directory, errno: errno) }
                canSplice = false
            }
            if buffer == nil { buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16) }
            let n = read(input, buffer!, chunkSize)
            if n == 0 { return total }
            if n < 0 {
                if errno == EINTR { continue }
                throw .spoolFailed(directory: directory, errno: errno)
            }
            var written = 0
            while written < n {
                let w = write(output, buffer! + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw .spoolFailed(directory: directory, errno: errno)
                }
                written += w
            }
            total += n
        }
    }
}
