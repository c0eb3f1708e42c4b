#define _GNU_SOURCE
#include "tollgate_backend_support.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/signalfd.h>
#include <unistd.h>

int tollgate_signalfd(const sigset_t *signals) {
    return signalfd(-1, signals, SFD_CLOEXEC | SFD_NONBLOCK);
}

int tollgate_read_signal(int fd) {
    struct signalfd_siginfo info;
    ssize_t n;
    do {
        n = read(fd, &info, sizeof info);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

int tollgate_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}
