#if canImport(Glibc)
import Glibc
#endif

/// Which user the real backend runs as, by cupsd's own rule (`scheduler/job.c`): a backend runs as
/// root exactly when its mode has none of group-write, other-write and other-execute (0700, 0744,
/// 0750…); otherwise as cupsd's unprivileged `User`. The wrapper applies it to the real backend so
/// that wrapping a queue changes nothing about who talks to the printer.
public enum PrivilegeDecision: Equatable, Sendable {
    /// Run as we are (we are root and the real backend wants root, or we are not root at all).
    case keepCurrentUser
    /// We are root and the real backend must not be: switch to cupsd's unprivileged user.
    case dropToRunUser

    public init(effectiveUID: uid_t, realBackendMode: mode_t) {
        let wantsRoot = realBackendMode & (S_IWGRP | S_IWOTH | S_IXOTH) == 0
        self = (effectiveUID == 0 && !wantsRoot) ? .dropToRunUser : .keepCurrentUser
    }
}
