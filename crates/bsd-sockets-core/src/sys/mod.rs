//! Everything that differs between operating systems, behind one contract.
//!
//! A backend provides:
//! * `c`: the C names the portable modules use (types, constants, errno values, the
//!   resolver and a few socket calls), spelled as in POSIX. On Unix it is `libc`; on
//!   Windows a Winsock shim with the same names and layouts, errno values being the
//!   `WSAE*` codes Winsock reports (libuv's mapping);
//! * `RawSock`/`Borrowed`: a socket handle (an fd on Unix, a `SOCKET` on Windows), and
//!   `as_raw`, `borrow`, `borrow_raw`, `from_raw`, `into_raw`, `raw_from_i64` to move
//!   between them and socket2;
//! * `MSG_NOSIGNAL`, `MSG_CMSG_CLOEXEC`, `MSG_DONTWAIT`: flags OR-ed into data calls
//!   (0 where the platform has no such flag); `TYPE_FLAGS`, `SOCK_NONBLOCK`;
//! * `poll_one(fd, events, timeout_ms)`: `poll(2)` (`select` on Windows) on one socket;
//! * `set_nonblocking`, `nonblocking_state` (`None` when the system cannot tell),
//!   `nonblocking_after_eagain`, `connect_in_progress`, `get_cloexec`, `set_cloexec`,
//!   `dup_cloexec`, `socket_kind`, `socketpair`;
//! * `getsockopt`/`setsockopt` on raw option bytes, and `ACK_FREQUENCY_OPTION`, the
//!   option name that is an ioctl instead (Windows' `TCP_QUICKACK`);
//! * `sendfile(out, in, offset, count)`, `pread`, `seek` and `SigpipeGuard`;
//! * `shutdown(fd, how)`, `close(fd)`;
//! * `share`, `fromshare`, `ioctl_in` (Windows' `WSADuplicateSocket` and `WSAIoctl`);
//! * `if_nameindex`, `gai_strerror`;
//! * `recvmsg`/`sendmsg` and the control-message layout live in [`crate::msg`], whose
//!   `unix` and `windows` modules are the other backend-specific code.
//!
//! Where a kernel lacks a feature the backend fails with the platform's "not supported"
//! error (`EOPNOTSUPP`), never with a silent substitute.

#[cfg(unix)]
#[path = "unix.rs"]
mod imp;

#[cfg(windows)]
#[path = "windows.rs"]
mod imp;

#[cfg(not(any(unix, windows)))]
compile_error!("bsd-sockets-core supports Unix-like systems and Windows");

pub(crate) use imp::*;
pub use imp::{c, raw_from_i64, Borrowed, RawSock};

/// Whether `flags` holds `flag`: never where the system has no such flag (it is 0 there).
pub(crate) fn has_flag(flags: i32, flag: i32) -> bool {
  flag != 0 && flags & flag == flag
}
