//! # bsd-sockets-core
//!
//! The BSD socket interface the way CPython's `socket` module gives it to Python,
//! in plain Rust on [`socket2`] (and `libc` where socket2 stops). It knows nothing of
//! JavaScript: the Node-API layer of `bsd-sockets` is thin glue over this crate.
//!
//! * [`Socket`] owns one socket (a file descriptor; a `SOCKET` on Windows) and carries CPython's timeout mode
//!   (blocking, non-blocking, or a per-call timeout).
//! * [`Io`] is the fd plus its mode, borrowed: every call that can block waits with
//!   `poll(2)` against a monotonic deadline and retries `EINTR` (PEP 475).
//! * [`Address`] is a socket address of any family we speak (AF_INET, AF_INET6,
//!   AF_UNIX paths and abstract names, AF_PACKET, AF_NETLINK), encoded and decoded
//!   byte-exactly.
//! * [`Error`] sorts failures into the classes a caller can act on.
//!
//! Platform differences live in `sys` (Unix through `libc`, Windows through Winsock);
//! everything else is portable, and [`c`] gives it the C names of the platform.

#![deny(missing_docs)]

mod sys;

pub mod addr;
pub mod constants;
pub mod error;
pub mod inet;
pub mod io;
pub mod msg;
pub mod resolve;
pub mod socket;
pub mod timeout;

pub use addr::Address;
pub use error::{ArgKind, Error, Result};
pub use io::Io;
pub use socket::Socket;
pub use sys::{c, raw_from_i64, Borrowed, RawSock};
pub use timeout::Timeout;
