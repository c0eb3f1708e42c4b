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

        let buffer = UnsafeMutableRawPointer.allocate(byteCount: SpoolFile.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            if signals.cancelPending() {
                close(fd)
                throw .cancelledBeforeStart
            }
            let n = read(input, buffer, SpoolFile.chunkSize)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw .spoolFailed(directory: directory, errno: code)
            }
            var written = 0
            while written < n {
                let w = write(fd, buffer + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    close(fd)
                    throw .spoolFailed(directory: directory, errno: code)
                }
                written += w
            }
            total += n
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
}
