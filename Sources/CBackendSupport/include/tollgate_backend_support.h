#ifndef TOLLGATE_BACKEND_SUPPORT_H
#define TOLLGATE_BACKEND_SUPPORT_H

#include <signal.h>
#include <spawn.h>
#include <sys/types.h>

/// Starts `path` the way cupsd starts a backend, for the `tollgate:` wrapper.
///
/// In the child, before exec: every signal disposition is reset to SIG_DFL and the signal mask is
/// emptied (the parent blocks SIGTERM/SIGCHLD to wait for them synchronously); if `stdin_fd` is
/// not -1 it becomes fd 0, and `stderr_fd` fd 2 (the wrapper reads the real backend's status lines
/// and passes them on); if `drop_privileges` is non-zero the child calls
/// setgroups(1, &gid), setresgid(gid…) and setresuid(uid…) and refuses to exec if any fails.
/// All other descriptors keep their close-on-exec flags, so fds 3 and 4 (cupsd's back and side
/// channels) reach the real backend as cupsd gave them to us.
///
/// Only async-signal-safe calls happen between vfork and exec, which is why this lives in C: glibc's
/// posix_spawn cannot change user ids, and swift-subprocess closes descriptors above 2.
///
/// Returns the child's pid, or -1 with `*child_errno` set when fork failed or the child could not
/// drop privileges or exec (reported back through a close-on-exec pipe).
pid_t tollgate_spawn(const char *path,
                     char *const argv[],
                     char *const envp[],
                     int stdin_fd,
                     int stderr_fd,
                     int drop_privileges,
                     uid_t uid,
                     gid_t gid,
                     int *child_errno);

/// Moves up to `length` bytes from the pipe `from` to the file `to` at its current offset without
/// copying them through user space (Linux splice(2)). Returns the bytes moved, 0 at end of input,
/// or -1 with errno set (EINVAL when `from` is not a pipe: then copy with read/write instead).
long tollgate_splice_to_file(int from, int to, unsigned long length);

/// A signalfd(2) for `signals` (which the caller has blocked), close-on-exec and non-blocking:
/// the wrapper waits for cupsd's cancel, SIGCHLD and the real backend's status lines in one poll.
int tollgate_signalfd(const sigset_t *signals);

/// Reads one signal from a signalfd: its number, or -1 when none is waiting.
int tollgate_read_signal(int fd);

/// pipe2(fds, O_CLOEXEC): the pipe that carries the real backend's stderr.
int tollgate_pipe_cloexec(int fds[2]);

/// Sends one datagram of `length` bytes on the Unix socket `socket` (SOCK_SEQPACKET) with the
/// `count` descriptors `fds` attached (SCM_RIGHTS; at most 4). Returns the bytes sent or -1.
long tollgate_send_with_fds(int socket, const void *bytes, unsigned long length, const int *fds, int count);

/// Receives one datagram into `bytes` (at most `capacity`) and up to `max_fds` descriptors into
/// `fds` (close-on-exec), their number in `*count`. Returns its length, 0 when the peer closed,
/// or -1 (errno EMSGSIZE when the datagram or its descriptors were cut: every received
/// descriptor is closed then).
long tollgate_receive_with_fds(int socket, void *bytes, unsigned long capacity, int *fds, int max_fds, int *count);

/// posix_spawn_file_actions_addclosefrom_np(actions, from): the child closes every descriptor
/// from `from` up before it execs, whatever other threads opened without close-on-exec meanwhile
/// (the gate service analyses several jobs at once next to its database connections).
int tollgate_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

/// accept4(socket, NULL, NULL, SOCK_CLOEXEC): a connection no child process inherits.
int tollgate_accept_cloexec(int socket);

/// The user id of the process at the other end of the Unix socket `socket` (SO_PEERCRED), or -1.
long tollgate_peer_uid(int socket);

#endif
