//! The error type of the core: every failure a caller can see, already sorted into
//! the classes the JavaScript layer throws (OS error, resolver error, timeout, bad
//! argument), so that no layer above has to guess from an `io::Error`.

use std::fmt;
use std::io;

use crate::sys::c;

/// What kind of bad argument: decides between a JS `TypeError` and `RangeError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
  /// Wrong type or shape (`ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`).
  Type,
  /// A value outside its allowed range (`ERR_OUT_OF_RANGE`, `ERR_SOCKET_BAD_PORT`).
  Range,
}

/// A failure of a core call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
  /// A system call failed with `errno` (always positive).
  Os {
    /// The errno value.
    errno: i32,
    /// The failing call, e.g. `connect`.
    syscall: &'static str,
  },
  /// The socket's timeout (or the call's deadline) ran out: CPython's `socket.timeout`.
  Timeout {
    /// The call that timed out.
    syscall: &'static str,
  },
  /// `getaddrinfo(3)`/`getnameinfo(3)` failed with an `EAI_*` code (as the platform
  /// defines it: negative on glibc).
  Gai {
    /// The `EAI_*` code.
    code: i32,
    /// `getaddrinfo` or `getnameinfo`.
    syscall: &'static str,
  },
  /// A lookup in a system database found nothing (`getservbyname`, `getprotobyname`,
  /// `if_nametoindex`, `gethostbyaddr` with no answer…): CPython raises `OSError` with
  /// no errno; we report code `ENOTFOUND`.
  NotFound {
    /// What was not found, in CPython's words.
    message: String,
    /// The lookup function.
    syscall: &'static str,
  },
  /// A bad argument, caught before any system call.
  Arg {
    /// TypeError or RangeError.
    kind: ArgKind,
    /// Node's `ERR_*` code.
    code: &'static str,
    /// What was wrong.
    message: String,
  },
}

/// Result alias used throughout the core.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
  /// An OS error from the calling thread's `errno`.
  pub fn last_os(syscall: &'static str) -> Error {
    Error::from_io(io::Error::last_os_error(), syscall)
  }

  /// An OS error from an `io::Error` (non-OS errors become `EIO`, which the core never
  /// produces in practice: socket2 only returns OS errors).
  pub fn from_io(err: io::Error, syscall: &'static str) -> Error {
    match err.raw_os_error() {
      Some(errno) => Error::Os { errno, syscall },
      None if err.kind() == io::ErrorKind::InvalidInput => Error::Arg {
        kind: ArgKind::Type,
        code: "ERR_INVALID_ARG_VALUE",
        message: err.to_string(),
      },
      None => Error::Os { errno: c::EIO, syscall },
    }
  }

  /// An OS error with a known errno.
  pub fn os(errno: i32, syscall: &'static str) -> Error {
    Error::Os { errno, syscall }
  }

  /// A `TypeError` with `ERR_INVALID_ARG_TYPE`.
  pub fn arg_type(message: impl Into<String>) -> Error {
    Error::Arg {
      kind: ArgKind::Type,
      code: "ERR_INVALID_ARG_TYPE",
      message: message.into(),
    }
  }

  /// A `TypeError` with `ERR_INVALID_ARG_VALUE`.
  pub fn arg_value(message: impl Into<String>) -> Error {
    Error::Arg {
      kind: ArgKind::Type,
      code: "ERR_INVALID_ARG_VALUE",
      message: message.into(),
    }
  }

  /// A `RangeError` with `ERR_OUT_OF_RANGE`.
  pub fn out_of_range(message: impl Into<String>) -> Error {
    Error::Arg {
      kind: ArgKind::Range,
      code: "ERR_OUT_OF_RANGE",
      message: message.into(),
    }
  }

  /// The errno of an OS error, if this is one.
  pub fn errno(&self) -> Option<i32> {
    match self {
      Error::Os { errno, .. } => Some(*errno),
      _ => None,
    }
  }

  /// True for `EAGAIN`/`EWOULDBLOCK`.
  pub fn is_would_block(&self) -> bool {
    matches!(self.errno(), Some(e) if e == c::EAGAIN || e == c::EWOULDBLOCK)
  }

  /// The syscall (or library function) that failed, if any.
  pub fn syscall(&self) -> Option<&'static str> {
    match self {
      Error::Os { syscall, .. }
      | Error::Timeout { syscall }
      | Error::Gai { syscall, .. }
      | Error::NotFound { syscall, .. } => Some(syscall),
      Error::Arg { .. } => None,
    }
  }
}

/// `strerror(3)` for an errno, without the "(os error N)" suffix std adds.
pub fn strerror(errno: i32) -> String {
  let s = io::Error::from_raw_os_error(errno).to_string();
  match s.rfind(" (os error ") {
    Some(i) => s[..i].to_string(),
    None => s,
  }
}

/// `gai_strerror(3)` for an `EAI_*` code.
pub fn gai_strerror(code: i32) -> String {
  crate::resolve::gai_strerror(code)
}

impl fmt::Display for Error {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match self {
      Error::Os { errno, syscall } => write!(f, "{syscall}: {}", strerror(*errno)),
      Error::Timeout { .. } => f.write_str("timed out"),
      Error::Gai { code, .. } => f.write_str(&gai_strerror(*code)),
      Error::NotFound { message, .. } => f.write_str(message),
      Error::Arg { message, .. } => f.write_str(message),
    }
  }
}

impl std::error::Error for Error {}

// The unit tests pin Linux/glibc behaviour and use libc directly.
#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;

  #[test]
  fn strerror_has_no_suffix() {
    assert_eq!(strerror(libc::ECONNREFUSED), "Connection refused");
  }

  #[test]
  fn would_block_is_recognised() {
    assert!(Error::os(libc::EAGAIN, "recv").is_would_block());
    assert!(!Error::os(libc::EINTR, "recv").is_would_block());
  }
}
