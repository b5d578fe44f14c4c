//! Everything that differs between operating systems, behind one contract.
//!
//! A backend provides:
//! * `MSG_NOSIGNAL`, `MSG_CMSG_CLOEXEC`: flags OR-ed into every send / recvmsg
//!   (0 where the platform has no such flag);
//! * `poll_one(fd, events, timeout_ms)`: `poll(2)` on one descriptor;
//! * `set_nonblocking`, `is_nonblocking`, `get_cloexec`, `set_cloexec`, `dup_cloexec`;
//! * `socket_kind(fd)`: family, type and protocol of an open socket;
//! * `sendfile(out, in, offset, count)` and `SigpipeGuard`;
//! * `shutdown(fd, how)`, `close(fd)`.
//!
//! Unix is the only backend today; other targets fail to compile with a clear message
//! rather than half-working.

#[cfg(unix)]
#[path = "unix.rs"]
mod imp;

#[cfg(not(unix))]
compile_error!("bsd-sockets-core supports Unix-like systems only for now");

pub(crate) use imp::*;
