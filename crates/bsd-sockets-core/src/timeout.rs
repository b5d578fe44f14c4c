//! CPython's socket timeout modes and the blocking wait every `*Sync` call uses.

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::sys::{self, c, RawSock};

/// How a socket behaves when a call cannot complete at once (CPython's `settimeout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timeout {
  /// `settimeout(None)`: wait as long as it takes.
  #[default]
  Blocking,
  /// `settimeout(0)`: fail with `EAGAIN` (connect: `EINPROGRESS`).
  NonBlocking,
  /// `settimeout(t > 0)`: wait at most `t` per call, then fail with [`Error::Timeout`].
  After(Duration),
}

impl Timeout {
  /// From seconds as JS and Python give them: `None` blocks, `0` never waits, `t > 0`
  /// is a limit rounded *up* to whole nanoseconds (as CPython stores it).
  pub fn from_secs(secs: Option<f64>) -> Result<Timeout> {
    let Some(secs) = secs else {
      return Ok(Timeout::Blocking);
    };
    if secs.is_nan() || secs < 0.0 {
      return Err(Error::out_of_range(format!(
        "Timeout value out of range: it must be >= 0. Received {secs}"
      )));
    }
    if secs == 0.0 {
      return Ok(Timeout::NonBlocking);
    }
    let nanos = (secs * 1e9).ceil();
    if !nanos.is_finite() || nanos > u64::MAX as f64 {
      return Err(Error::out_of_range(format!(
        "Timeout value out of range: it must be finite. Received {secs}"
      )));
    }
    Ok(Timeout::After(Duration::from_nanos(nanos as u64)))
  }

  /// Back to seconds: `None` for blocking, `Some(0.0)` for non-blocking.
  pub fn as_secs(self) -> Option<f64> {
    match self {
      Timeout::Blocking => None,
      Timeout::NonBlocking => Some(0.0),
      Timeout::After(d) => Some(d.as_secs_f64()),
    }
  }

  /// Whether a call in this mode waits at all.
  pub fn waits(self) -> bool {
    self != Timeout::NonBlocking
  }

  /// The deadline of a call starting now (`None` = no deadline).
  pub fn deadline(self) -> Option<Instant> {
    match self {
      Timeout::After(d) => Instant::now().checked_add(d),
      _ => None,
    }
  }
}

/// What a blocked call waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
  /// Data, a connection to accept, EOF or an error.
  Read,
  /// Room in the send buffer, a finished connect, or an error.
  Write,
}

/// Waits until `fd` is ready for `interest` or `deadline` passes (then
/// [`Error::Timeout`]). EINTR is retried with the *remaining* time (PEP 475).
pub fn wait(fd: RawSock, interest: Interest, deadline: Option<Instant>, syscall: &'static str) -> Result<()> {
  let events = match interest {
    Interest::Read => sys::POLLIN,
    Interest::Write => sys::POLLOUT,
  };
  loop {
    let ms = match deadline {
      None => -1,
      Some(d) => {
        let left = d.saturating_duration_since(Instant::now());
        if left.is_zero() {
          return Err(Error::Timeout { syscall });
        }
        // Round up so we never wake a hair early and report a timeout too soon.
        let ms = left.as_nanos().div_ceil(1_000_000);
        ms.min(i32::MAX as u128) as i32
      }
    };
    match sys::poll_one(fd, events, ms) {
      Ok(0) => {
        if deadline.is_some_and(|d| Instant::now() >= d) {
          return Err(Error::Timeout { syscall });
        }
      }
      Ok(_) => return Ok(()),
      Err(e) if e.raw_os_error() == Some(c::EINTR) => {}
      Err(e) => return Err(Error::from_io(e, "poll")),
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn modes_from_seconds() {
    assert_eq!(Timeout::from_secs(None), Ok(Timeout::Blocking));
    assert_eq!(Timeout::from_secs(Some(0.0)), Ok(Timeout::NonBlocking));
    assert_eq!(Timeout::from_secs(Some(-0.0)), Ok(Timeout::NonBlocking));
    assert_eq!(
      Timeout::from_secs(Some(1.5)),
      Ok(Timeout::After(Duration::from_millis(1500)))
    );
    // Rounded up to a whole nanosecond, as CPython does (1e-10 -> 1e-9).
    assert_eq!(
      Timeout::from_secs(Some(1e-10)),
      Ok(Timeout::After(Duration::from_nanos(1)))
    );
    assert!(Timeout::from_secs(Some(-1.0)).is_err());
    assert!(Timeout::from_secs(Some(f64::NAN)).is_err());
    assert!(Timeout::from_secs(Some(f64::INFINITY)).is_err());
    assert!(Timeout::from_secs(Some(2f64.powi(70))).is_err());
  }

  #[test]
  fn back_to_seconds() {
    assert_eq!(Timeout::Blocking.as_secs(), None);
    assert_eq!(Timeout::NonBlocking.as_secs(), Some(0.0));
    assert_eq!(Timeout::After(Duration::from_millis(250)).as_secs(), Some(0.25));
  }
}
