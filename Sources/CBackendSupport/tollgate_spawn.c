#define _GNU_SOURCE
#include "tollgate_backend_support.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void child_fail(int report_fd, int err) {
    ssize_t ignored = write(report_fd, &err, sizeof err);
    (void)ignored;
    _exit(127);
}

pid_t tollgate_spawn(const char *path,
                     char *const argv[],
                     char *const envp[],
                     int stdin_fd,
                     int stderr_fd,
                     int drop_privileges,
                     uid_t uid,
                     gid_t gid,
                     int *child_errno) {
    int report[2];
    *child_errno = 0;
    if (pipe2(report, O_CLOEXEC) != 0) {
        *child_errno = errno;
        return -1;
    }

    /* vfork: the child borrows our memory until exec, so no page tables are copied (the
     * backend maps libcups and its ~30 libraries; fork cost milliseconds per job). The child
     * therefore only makes async-signal-safe calls and raw syscalls, and touches no shared
     * state but its own stack; credentials change with raw syscalls, which affect the child's
     * one thread only (glibc's setuid() would try to update every thread of the process). */
    pid_t pid = vfork();
    if (pid < 0) {
        *child_errno = errno;
        close(report[0]);
        close(report[1]);
        return -1;
    }

    if (pid == 0) {
        /* Child (sharing our memory until exec): async-signal-safe calls only. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &dfl, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);

        if (stdin_fd >= 0 && stdin_fd != 0) {
            if (dup2(stdin_fd, 0) < 0) child_fail(report[1], errno);
        }
        if (stderr_fd >= 0 && stderr_fd != 2) {
            if (dup2(stderr_fd, 2) < 0) child_fail(report[1], errno);
        }
        if (drop_privileges) {
            if (syscall(SYS_setgroups, 1, &gid) != 0) child_fail(report[1], errno);
            if (syscall(SYS_setresgid, gid, gid, gid) != 0) child_fail(report[1], errno);
            if (syscall(SYS_setresuid, uid, uid, uid) != 0) child_fail(report[1], errno);
        }
        execve(path, argv, envp);
        child_fail(report[1], errno);
    }

    /* Parent: an exec that succeeded closes the pipe with nothing written. */
    close(report[1]);
    int err = 0;
    ssize_t n;
    do {
        n = read(report[0], &err, sizeof err);
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == (ssize_t)sizeof err) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        *child_errno = err;
        return -1;
    }
    return pid;
}
