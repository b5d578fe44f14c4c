//! [`Io`]: the calls that move data or connect, on a borrowed fd with a timeout mode.
//!
//! Every call that can block goes through one loop: try the syscall; on `EINTR` try
//! again; on `EAGAIN`, if the mode waits, `poll(2)` until ready or until the deadline,
//! then try again. In non-blocking and timeout modes each attempt passes
//! `MSG_DONTWAIT`, so it never blocks whatever the fd's O_NONBLOCK flag says — that
//! flag belongs to the open file and may be changed through another fd (a `dup`, an
//! fd passed to another process). In blocking mode the syscall blocks in the kernel as
//! in C, so `SO_RCVTIMEO` works as in C.
//!
//! Winsock has no `MSG_DONTWAIT`: there the socket's `FIONBIO` flag, which the timeout
//! mode sets as CPython does, is what keeps an attempt from blocking, and waits use
//! `select` (see `sys`).
//!
//! Unlike CPython we try before polling in timeout mode: a call that can complete at
//! once costs one syscall, not two.

use std::io;
use std::mem::MaybeUninit;
use std::time::Instant;

use socket2::{SockAddr, SockRef};

use crate::error::{Error, Result};
use crate::msg::{self, Cmsg, RecvMsg};
use crate::sys::c::{self, c_int};
use crate::sys::{self, Borrowed, RawSock};
use crate::timeout::{wait, Interest, Timeout};

/// A socket fd and its timeout mode: everything a data call needs. `Copy`, so the
/// Node-API layer can build one per call without touching any object.
#[derive(Debug, Clone, Copy)]
pub struct Io<'fd> {
  fd: Borrowed<'fd>,
  timeout: Timeout,
}

/// When the deadline of the current call is computed: on the first wait, so a call that
/// completes at once never reads the clock.
#[derive(Clone, Copy)]
enum Deadline {
  Lazy,
  Fixed(Option<Instant>),
}

impl Deadline {
  fn get(&mut self, timeout: Timeout) -> Option<Instant> {
    match *self {
      Deadline::Fixed(d) => d,
      Deadline::Lazy => {
        let d = timeout.deadline();
        *self = Deadline::Fixed(d);
        d
      }
    }
  }
}

fn uninit(buf: &mut [u8]) -> &mut [MaybeUninit<u8>] {
  // SAFETY: MaybeUninit<u8> has u8's layout, and the kernel only writes into it.
  unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) }
}

/// Whether a non-blocking `connect` that said `errno` goes on in the background
/// (`EINPROGRESS` on Unix, `WSAEWOULDBLOCK` on Windows).
pub fn connect_in_progress(errno: i32) -> bool {
  sys::connect_in_progress(errno)
}

pub(crate) fn errno_of(e: &io::Error) -> i32 {
  e.raw_os_error().unwrap_or(c::EIO)
}

impl<'fd> Io<'fd> {
  /// A view of `fd` in `timeout` mode.
  pub fn new(fd: Borrowed<'fd>, timeout: Timeout) -> Io<'fd> {
    Io { fd, timeout }
  }

  /// A view of a raw fd number.
  ///
  /// # Safety
  /// `fd` must be an open socket for as long as the view is used (the Node-API layer
  /// guarantees it: it only passes fds of open sockets it owns, on the one JS thread
  /// that could close them).
  pub unsafe fn borrow_raw(fd: RawSock, timeout: Timeout) -> Io<'fd> {
    // SAFETY: forwarded to the caller.
    Io {
      fd: unsafe { sys::borrow_raw(fd) },
      timeout,
    }
  }

  fn fileno(&self) -> RawSock {
    sys::raw_of(self.fd)
  }

  /// The flag each attempt carries so that it never blocks outside blocking mode.
  fn dontwait(&self) -> c_int {
    if self.timeout == Timeout::Blocking {
      0
    } else {
      sys::MSG_DONTWAIT
    }
  }

  /// Whether an `EAGAIN` should be waited out rather than reported.
  fn should_wait(&self, user_flags: c_int) -> bool {
    match self.timeout {
      Timeout::NonBlocking => false,
      Timeout::After(_) => true,
      // In blocking mode EAGAIN is the caller's own (MSG_DONTWAIT, SO_RCVTIMEO) unless
      // the fd turned out to be non-blocking (adopted as such, or changed via a dup).
      Timeout::Blocking => {
        !sys::has_flag(user_flags, sys::MSG_DONTWAIT) && sys::nonblocking_after_eagain(self.fileno())
      }
    }
  }

  /// The retry loop of every call that can block (see the module docs).
  fn run<T>(
    &self,
    interest: Interest,
    syscall: &'static str,
    mut deadline: Deadline,
    user_flags: c_int,
    mut f: impl FnMut(SockRef<'_>, c_int) -> io::Result<T>,
  ) -> Result<T> {
    let extra = self.dontwait();
    loop {
      match f(SockRef::from(&self.fd), user_flags | extra) {
        Ok(v) => return Ok(v),
        Err(e) => {
          let errno = errno_of(&e);
          if errno == c::EINTR {
            continue;
          }
          if (errno == c::EAGAIN || errno == c::EWOULDBLOCK) && self.should_wait(user_flags) {
            wait(self.fileno(), interest, deadline.get(self.timeout), syscall)?;
            continue;
          }
          return Err(Error::Os { errno, syscall });
        }
      }
    }
  }

  /// `connect(2)`. When the connect goes on in the background (EINPROGRESS on a
  /// non-blocking fd, or EINTR in blocking mode) and the mode waits, waits for
  /// writability (up to the timeout) and reads the result from `SO_ERROR`; connect is
  /// not called again (it would say EALREADY).
  pub fn connect(&self, addr: &SockAddr) -> Result<()> {
    let sock = SockRef::from(&self.fd);
    let err = match sock.connect(addr) {
      Ok(()) => return Ok(()),
      Err(e) => errno_of(&e),
    };
    let pending = sys::connect_in_progress(err);
    if !(pending && self.timeout.waits()) {
      return Err(Error::Os {
        errno: err,
        syscall: "connect",
      });
    }
    wait(self.fileno(), Interest::Write, self.timeout.deadline(), "connect")?;
    match sock.take_error() {
      Ok(None) => Ok(()),
      Ok(Some(e)) => Err(Error::Os {
        errno: errno_of(&e),
        syscall: "connect",
      }),
      Err(e) => Err(Error::from_io(e, "getsockopt")),
    }
  }

  /// `connect_ex`: the errno instead of an error (0 on success). A timeout gives
  /// `EAGAIN`, as CPython returns. Argument errors are still errors.
  pub fn connect_ex(&self, addr: &SockAddr) -> Result<i32> {
    match self.connect(addr) {
      Ok(()) => Ok(0),
      Err(Error::Os { errno, .. }) => Ok(errno),
      Err(Error::Timeout { .. }) => Ok(c::EAGAIN),
      Err(e) => Err(e),
    }
  }

  /// `accept4(2)` with SOCK_CLOEXEC; the new socket's mode is the caller's business.
  /// In non-blocking and timeout modes readiness is checked first when the fd itself
  /// is blocking (accept has no MSG_DONTWAIT).
  pub(crate) fn accept(&self, fd_nonblocking: bool) -> Result<(socket2::Socket, SockAddr)> {
    if !fd_nonblocking {
      match self.timeout {
        Timeout::Blocking => {}
        Timeout::NonBlocking => loop {
          // A zero-timeout poll: is a connection waiting right now?
          match sys::poll_one(self.fileno(), sys::POLLIN, 0) {
            Ok(0) => return Err(Error::os(c::EAGAIN, "accept")),
            Ok(_) => break,
            Err(e) if e.raw_os_error() == Some(c::EINTR) => continue,
            Err(e) => return Err(Error::from_io(e, "poll")),
          }
        },
        t => wait(self.fileno(), Interest::Read, t.deadline(), "accept")?,
      }
    }
    self.run(Interest::Read, "accept", Deadline::Lazy, 0, |s, _| s.accept())
  }

  /// `recv(2)` into `buf`; returns the byte count (0 = orderly EOF on a stream, or an
  /// empty datagram). With MSG_TRUNC the kernel's full length, as in C.
  pub fn recv_into(&self, buf: &mut [u8], flags: c_int) -> Result<usize> {
    self.run(Interest::Read, "recv", Deadline::Lazy, flags, |s, f| {
      s.recv_with_flags(uninit(buf), f)
    })
  }

  /// `recvfrom(2)` into `buf`; the address has length 0 when the kernel gives none.
  pub fn recv_from_into(&self, buf: &mut [u8], flags: c_int) -> Result<(usize, SockAddr)> {
    self.run(Interest::Read, "recvfrom", Deadline::Lazy, flags, |s, f| {
      s.recv_from_with_flags(uninit(buf), f)
    })
  }

  /// `recvmsg(2)` scattering into `bufs`, with room for `ancbufsize` bytes of ancillary
  /// data. SCM_RIGHTS fds arrive close-on-exec.
  pub fn recvmsg_into(&self, bufs: &mut [&mut [u8]], ancbufsize: usize, flags: c_int) -> Result<RecvMsg> {
    let fd = self.fileno();
    let mut control = msg::control_buffer(ancbufsize);
    let mut m = self.run(Interest::Read, "recvmsg", Deadline::Lazy, flags, |_, f| {
      msg::recvmsg(fd, bufs, &mut control, ancbufsize, f | sys::MSG_CMSG_CLOEXEC)
    })?;
    // Linux echoes MSG_CMSG_CLOEXEC (and we add MSG_DONTWAIT, which it does not echo);
    // report only what the caller asked for.
    m.flags &= !(sys::MSG_CMSG_CLOEXEC & !flags);
    Ok(m)
  }

  /// `send(2)` with MSG_NOSIGNAL; may send less than `buf`.
  pub fn send(&self, buf: &[u8], flags: c_int) -> Result<usize> {
    self.run(Interest::Write, "send", Deadline::Lazy, flags, |s, f| {
      s.send_with_flags(buf, f | sys::MSG_NOSIGNAL)
    })
  }

  /// Sends all of `buf` or fails; in timeout mode the timeout bounds the whole call.
  pub fn sendall(&self, buf: &[u8], flags: c_int) -> Result<()> {
    let deadline = Deadline::Fixed(self.timeout.deadline());
    let mut sent = 0;
    while sent < buf.len() {
      sent += self.run(Interest::Write, "send", deadline, flags, |s, f| {
        s.send_with_flags(&buf[sent..], f | sys::MSG_NOSIGNAL)
      })?;
    }
    Ok(())
  }

  /// `sendto(2)` with MSG_NOSIGNAL.
  pub fn send_to(&self, buf: &[u8], flags: c_int, addr: &SockAddr) -> Result<usize> {
    self.run(Interest::Write, "sendto", Deadline::Lazy, flags, |s, f| {
      s.send_to_with_flags(buf, addr, f | sys::MSG_NOSIGNAL)
    })
  }

  /// `sendmsg(2)` gathering `bufs`, with ancillary data items and an optional address.
  pub fn sendmsg(&self, bufs: &[&[u8]], ancillary: &[Cmsg], flags: c_int, addr: Option<&SockAddr>) -> Result<usize> {
    let fd = self.fileno();
    let control = msg::encode_control(ancillary)?;
    self.run(Interest::Write, "sendmsg", Deadline::Lazy, flags, |_, f| {
      msg::sendmsg(fd, bufs, &control, f | sys::MSG_NOSIGNAL, addr)
    })
  }

  /// Waits until writable within the timeout (for calls without MSG_DONTWAIT).
  pub(crate) fn wait_writable(&self, syscall: &'static str) -> Result<()> {
    wait(self.fileno(), Interest::Write, self.timeout.deadline(), syscall)
  }
}
