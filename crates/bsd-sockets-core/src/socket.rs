//! [`Socket`]: one owned socket fd with CPython's timeout mode, and the calls that
//! manage it (creation, addresses, options, lifetime). The calls that move data or
//! connect live on [`Io`], which [`Socket::io`] hands out.

use std::cell::Cell;

use socket2::{Domain, Protocol, SockAddr, Type};

use crate::error::{Error, Result};
use crate::io::{errno_of, Io};
use crate::sys::c::{self, c_int};
use crate::sys::{self, RawSock, SOCK_NONBLOCK, TYPE_FLAGS};
use crate::timeout::Timeout;

/// A socket file descriptor with a CPython timeout mode. Dropping it closes the fd.
#[derive(Debug)]
pub struct Socket {
  sock: socket2::Socket,
  family: c_int,
  socktype: c_int,
  protocol: c_int,
  timeout: Timeout,
  /// Whether O_NONBLOCK (FIONBIO) is set on the fd right now (it follows `timeout`);
  /// `None` when unknown (a Windows socket adopted in blocking mode).
  nonblocking_fd: Option<bool>,
  /// The last `TCP_QUICKACK` set where it is an ioctl Winsock cannot read back.
  ack_frequency: Cell<c_int>,
  /// Set once an event loop watches the fd: O_NONBLOCK then stays set, so no async
  /// call can block the loop (`detach` restores CPython's flag).
  watched: bool,
}

impl Socket {
  /// `socket(2)`: a new, close-on-exec socket. `SOCK_NONBLOCK` in `socktype` makes it
  /// non-blocking whatever `timeout` says (CPython's rule); both flags are stripped
  /// from the reported type.
  pub fn new(family: c_int, socktype: c_int, protocol: c_int, timeout: Timeout) -> Result<Socket> {
    let sock = socket2::Socket::new(
      Domain::from(family),
      Type::from(socktype),
      Some(Protocol::from(protocol)),
    )
    .map_err(|e| Error::from_io(e, "socket"))?;
    let timeout = if sys::has_flag(socktype, SOCK_NONBLOCK) {
      Timeout::NonBlocking
    } else {
      timeout
    };
    Socket::wrap(sock, family, socktype & !TYPE_FLAGS, protocol, timeout)
  }

  /// `socketpair(2)`: two connected, close-on-exec sockets.
  pub fn pair(family: c_int, socktype: c_int, protocol: c_int, timeout: Timeout) -> Result<(Socket, Socket)> {
    let (a, b) = sys::socketpair(
      Domain::from(family),
      Type::from(socktype),
      Some(Protocol::from(protocol)),
    )
    .map_err(|e| Error::from_io(e, "socketpair"))?;
    let timeout = if sys::has_flag(socktype, SOCK_NONBLOCK) {
      Timeout::NonBlocking
    } else {
      timeout
    };
    let ty = socktype & !TYPE_FLAGS;
    Ok((
      Socket::wrap(a, family, ty, protocol, timeout)?,
      Socket::wrap(b, family, ty, protocol, timeout)?,
    ))
  }

  /// Takes ownership of an open socket fd. Family, type and protocol are read from the
  /// kernel unless given. If `fd` is not a socket (`ENOTSOCK`, `EBADF`) nothing is taken
  /// and nothing is closed. Like CPython, the fd's O_NONBLOCK flag is left as it is: it
  /// belongs to the open file, which other fds (the one `fromfd` duplicated, another
  /// process's) share. Data calls do not depend on it (see [`Io`]).
  pub fn adopt(
    fd: RawSock,
    family: Option<c_int>,
    socktype: Option<c_int>,
    protocol: Option<c_int>,
    timeout: Timeout,
  ) -> Result<Socket> {
    let (kf, kt, kp) = sys::socket_kind(fd).map_err(|e| Error::from_io(e, "getsockopt"))?;
    let nonblocking_fd =
      sys::nonblocking_state(fd, timeout != Timeout::Blocking).map_err(|e| Error::from_io(e, "fcntl"))?;
    // SAFETY: fd is an open socket (checked above) and the caller hands it to us.
    let sock = unsafe { sys::from_raw(fd) };
    Ok(Socket {
      sock,
      family: family.unwrap_or(kf),
      socktype: socktype.unwrap_or(kt) & !TYPE_FLAGS,
      protocol: protocol.unwrap_or(kp),
      timeout,
      nonblocking_fd,
      ack_frequency: Cell::new(0),
      watched: false,
    })
  }

  fn wrap(sock: socket2::Socket, family: c_int, socktype: c_int, protocol: c_int, timeout: Timeout) -> Result<Socket> {
    let nonblocking_fd = sys::nonblocking_state(sys::as_raw(&sock), timeout != Timeout::Blocking)
      .map_err(|e| Error::from_io(e, "fcntl"))?;
    let mut s = Socket {
      sock,
      family,
      socktype,
      protocol,
      timeout: Timeout::Blocking,
      nonblocking_fd,
      ack_frequency: Cell::new(0),
      watched: false,
    };
    s.set_timeout(timeout)?;
    Ok(s)
  }

  /// The fd number (valid until `close`/`detach`/drop).
  pub fn fileno(&self) -> RawSock {
    sys::as_raw(&self.sock)
  }

  /// Address family the socket was created with.
  pub fn family(&self) -> c_int {
    self.family
  }

  /// Socket type, without SOCK_NONBLOCK/SOCK_CLOEXEC.
  pub fn socktype(&self) -> c_int {
    self.socktype
  }

  /// Protocol number.
  pub fn protocol(&self) -> c_int {
    self.protocol
  }

  /// The current timeout mode.
  pub fn timeout(&self) -> Timeout {
    self.timeout
  }

  /// `settimeout`/`setblocking`: O_NONBLOCK is set in non-blocking and timeout modes
  /// and cleared in blocking mode, as CPython does.
  pub fn set_timeout(&mut self, timeout: Timeout) -> Result<()> {
    let want_nonblocking = timeout != Timeout::Blocking || self.watched;
    if Some(want_nonblocking) != self.nonblocking_fd {
      sys::set_nonblocking(self.fileno(), want_nonblocking).map_err(|e| Error::from_io(e, "fcntl"))?;
      self.nonblocking_fd = Some(want_nonblocking);
    }
    self.timeout = timeout;
    Ok(())
  }

  /// `bind(2)`.
  pub fn bind(&self, addr: &SockAddr) -> Result<()> {
    self.sock.bind(addr).map_err(|e| Error::from_io(e, "bind"))
  }

  /// `listen(2)`; a negative backlog is clamped to 0 (CPython).
  pub fn listen(&self, backlog: c_int) -> Result<()> {
    self
      .sock
      .listen(backlog.max(0))
      .map_err(|e| Error::from_io(e, "listen"))
  }

  /// The fd and timeout mode, for the calls that move data or connect.
  pub fn io(&self) -> Io<'_> {
    Io::new(sys::borrow(&self.sock), self.timeout)
  }

  /// `accept4(2)` with SOCK_CLOEXEC. The new socket gets `timeout` — the caller passes
  /// the *default* timeout, never the listener's (CPython's rule).
  pub fn accept(&self, timeout: Timeout) -> Result<(Socket, SockAddr)> {
    let (sock, addr) = self.io().accept(self.nonblocking_fd == Some(true))?;
    let s = Socket::wrap(sock, self.family, self.socktype, self.protocol, timeout)?;
    Ok((s, addr))
  }

  /// One non-blocking `accept4(2)` (EAGAIN when nothing is waiting), for async callers.
  pub fn accept_nonblocking(&self, timeout: Timeout) -> Result<(Socket, SockAddr)> {
    let (sock, addr) = self.nonblocking_io().accept(self.nonblocking_fd == Some(true))?;
    let s = Socket::wrap(sock, self.family, self.socktype, self.protocol, timeout)?;
    Ok((s, addr))
  }

  /// Python's `socket.sendfile(file, offset, count)`: `sendfile(2)` from `in_fd`
  /// starting at `offset`, until `count` bytes or EOF; falls back to read+send for files
  /// the kernel cannot splice. Leaves `in_fd`'s position after the last byte sent.
  pub fn sendfile(&self, in_fd: c_int, offset: u64, count: Option<u64>) -> Result<u64> {
    if self.socktype != c::SOCK_STREAM {
      return Err(Error::arg_value("only SOCK_STREAM type sockets are supported"));
    }
    if self.timeout == Timeout::NonBlocking {
      return Err(Error::arg_value("non-blocking sockets are not supported"));
    }
    let mut off = i64::try_from(offset).map_err(|_| Error::out_of_range("offset is too large"))?;
    let start = off;
    let mut fallback = false;
    {
      let _sigpipe = sys::SigpipeGuard::new();
      loop {
        let sent = (off - start) as u64;
        let want = match count {
          Some(c) if c <= sent => break,
          Some(c) => (c - sent).min(1 << 30) as usize,
          None => 1 << 30,
        };
        match sys::sendfile(self.fileno(), in_fd, &mut off, want) {
          Ok(0) => break,
          Ok(_) => {}
          Err(e) => {
            let errno = errno_of(&e);
            if errno == c::EINTR {
              continue;
            }
            if errno == c::EAGAIN || errno == c::EWOULDBLOCK {
              self.io().wait_writable("sendfile")?;
              continue;
            }
            if off == start && (errno == c::EINVAL || errno == c::ENOSYS || errno == c::ESPIPE) {
              fallback = true;
              break;
            }
            self.leave_file_at(in_fd, start, off);
            return Err(Error::Os {
              errno,
              syscall: "sendfile",
            });
          }
        }
      }
    }
    if fallback {
      let result = self.sendfile_by_copy(in_fd, &mut off, start, count);
      self.leave_file_at(in_fd, start, off);
      result?;
    } else {
      self.leave_file_at(in_fd, start, off);
    }
    Ok((off - start) as u64)
  }

  fn sendfile_by_copy(&self, in_fd: c_int, off: &mut i64, start: i64, count: Option<u64>) -> Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
      let sent = (*off - start) as u64;
      let want = match count {
        Some(c) if c <= sent => return Ok(()),
        Some(c) => (c - sent).min(buf.len() as u64) as usize,
        None => buf.len(),
      };
      let n = loop {
        match sys::pread(in_fd, &mut buf[..want], *off) {
          Err(e) if e.raw_os_error() == Some(c::EINTR) => continue,
          r => break r.map_err(|e| Error::from_io(e, "read"))?,
        }
      };
      if n == 0 {
        return Ok(());
      }
      self.io().sendall(&buf[..n], 0)?;
      *off += n as i64;
    }
  }

  fn leave_file_at(&self, in_fd: c_int, start: i64, off: i64) {
    if off > start {
      // Best effort, as Python's file.seek after sendfile: pipes cannot seek.
      let _ = sys::seek(in_fd, off);
    }
  }

  /// `shutdown(2)`; `how` is passed through, so bad values get the kernel's EINVAL.
  pub fn shutdown(&self, how: c_int) -> Result<()> {
    sys::shutdown(self.fileno(), how).map_err(|e| Error::from_io(e, "shutdown"))
  }

  /// `getsockopt(2)` of a C int.
  pub fn getsockopt_int(&self, level: c_int, name: c_int) -> Result<c_int> {
    if Some(name) == sys::ACK_FREQUENCY_OPTION {
      return Ok(self.ack_frequency.get());
    }
    let mut v = [0u8; std::mem::size_of::<c_int>()];
    sys::getsockopt(self.fileno(), level, name, &mut v).map_err(|e| Error::from_io(e, "getsockopt"))?;
    Ok(c_int::from_ne_bytes(v))
  }

  /// `getsockopt(2)` into a buffer of `buflen` bytes (1..=1024, CPython's bounds);
  /// returns the bytes the kernel wrote.
  pub fn getsockopt_bytes(&self, level: c_int, name: c_int, buflen: usize) -> Result<Vec<u8>> {
    if buflen == 0 || buflen > 1024 {
      return Err(Error::out_of_range(format!(
        "The value of \"buflen\" is out of range. It must be >= 1 && <= 1024. Received {buflen}"
      )));
    }
    let mut buf = vec![0u8; buflen];
    let len = sys::getsockopt(self.fileno(), level, name, &mut buf).map_err(|e| Error::from_io(e, "getsockopt"))?;
    buf.truncate(len);
    Ok(buf)
  }

  /// `setsockopt(2)` with a C int.
  pub fn setsockopt_int(&self, level: c_int, name: c_int, value: c_int) -> Result<()> {
    self.setsockopt_bytes(level, name, &value.to_ne_bytes())
  }

  /// `setsockopt(2)` with raw option bytes.
  pub fn setsockopt_bytes(&self, level: c_int, name: c_int, value: &[u8]) -> Result<()> {
    if Some(name) == sys::ACK_FREQUENCY_OPTION {
      sys::ioctl_in(self.fileno(), name as u32, value).map_err(|e| Error::from_io(e, "WSAIoctl"))?;
      let mut v = [0u8; 4];
      v.copy_from_slice(value); // ioctl_in checked the length
      self.ack_frequency.set(c_int::from_ne_bytes(v));
      return Ok(());
    }
    let len = u32::try_from(value.len()).map_err(|_| Error::out_of_range("option value is too large"))?;
    sys::setsockopt(self.fileno(), level, name, Some(value), len).map_err(|e| Error::from_io(e, "setsockopt"))
  }

  /// `setsockopt(2)` with a NULL value and `optlen` (options that take no data, such as
  /// AF_ALG's ALG_SET_AEAD_AUTHSIZE).
  pub fn setsockopt_null(&self, level: c_int, name: c_int, optlen: u32) -> Result<()> {
    sys::setsockopt(self.fileno(), level, name, None, optlen).map_err(|e| Error::from_io(e, "setsockopt"))
  }

  /// `getsockname(2)`.
  pub fn local_addr(&self) -> Result<SockAddr> {
    self.sock.local_addr().map_err(|e| Error::from_io(e, "getsockname"))
  }

  /// `getpeername(2)`.
  pub fn peer_addr(&self) -> Result<SockAddr> {
    self.sock.peer_addr().map_err(|e| Error::from_io(e, "getpeername"))
  }

  /// `dup`: a new close-on-exec fd for the same socket, with the same timeout.
  pub fn dup(&self) -> Result<Socket> {
    let fd = sys::dup_cloexec(self.fileno()).map_err(|e| Error::from_io(e, "dup"))?;
    // SAFETY: fd was just created and is ours.
    let sock = unsafe { sys::from_raw(fd) };
    Ok(Socket {
      sock,
      family: self.family,
      socktype: self.socktype,
      protocol: self.protocol,
      timeout: self.timeout,
      nonblocking_fd: self.nonblocking_fd,
      ack_frequency: Cell::new(self.ack_frequency.get()),
      watched: false,
    })
  }

  /// Whether child processes inherit the fd (FD_CLOEXEC clear).
  pub fn inheritable(&self) -> Result<bool> {
    sys::get_cloexec(self.fileno())
      .map(|c| !c)
      .map_err(|e| Error::from_io(e, "fcntl"))
  }

  /// Sets whether child processes inherit the fd.
  pub fn set_inheritable(&self, inheritable: bool) -> Result<()> {
    sys::set_cloexec(self.fileno(), !inheritable).map_err(|e| Error::from_io(e, "fcntl"))
  }

  /// Gives up the fd without closing it. It leaves with the O_NONBLOCK state CPython
  /// would give it: set unless the socket is in blocking mode.
  pub fn detach(self) -> RawSock {
    if self.watched && self.timeout == Timeout::Blocking {
      // Best effort: the fd leaves as CPython would hand it out.
      let _ = sys::set_nonblocking(self.fileno(), false);
    }
    sys::into_raw(self.sock)
  }

  /// Prepares the fd for an event loop: O_NONBLOCK from now on, whatever the timeout
  /// mode, so an async call can never block the loop. Sync calls keep their semantics
  /// (see [`Io`]).
  pub fn set_watched(&mut self) -> Result<()> {
    if self.nonblocking_fd != Some(true) {
      sys::set_nonblocking(self.fileno(), true).map_err(|e| Error::from_io(e, "fcntl"))?;
      self.nonblocking_fd = Some(true);
    }
    self.watched = true;
    Ok(())
  }

  /// A view that never waits: what an async call tries before (and after) each wait.
  pub fn nonblocking_io(&self) -> Io<'_> {
    Io::new(sys::borrow(&self.sock), Timeout::NonBlocking)
  }

  /// `getsockopt(SO_ERROR)`: the pending error (0 if none), cleared by reading it. How a
  /// non-blocking connect reports its result.
  pub fn take_error(&self) -> Result<i32> {
    match self.sock.take_error() {
      Ok(None) => Ok(0),
      Ok(Some(e)) => Ok(errno_of(&e)),
      Err(e) => Err(Error::from_io(e, "getsockopt")),
    }
  }

  /// One non-blocking `sendfile(2)` attempt from `in_fd` at `offset` (for async
  /// senders, which wait between attempts themselves). Returns the bytes sent.
  pub fn sendfile_once(&self, in_fd: c_int, offset: u64, count: usize) -> Result<usize> {
    let mut off = i64::try_from(offset).map_err(|_| Error::out_of_range("offset is too large"))?;
    let _sigpipe = sys::SigpipeGuard::new();
    loop {
      match sys::sendfile(self.fileno(), in_fd, &mut off, count) {
        Err(e) if e.raw_os_error() == Some(c::EINTR) => continue,
        r => return r.map_err(|e| Error::from_io(e, "sendfile")),
      }
    }
  }

  /// Windows' `socket.share(pid)`: the bytes `fromshare` needs to open this socket in
  /// process `pid` (`WSADuplicateSocketW`). `EOPNOTSUPP` elsewhere.
  pub fn share(&self, pid: u32) -> Result<Vec<u8>> {
    sys::share(self.fileno(), pid).map_err(|e| Error::from_io(e, "WSADuplicateSocket"))
  }

  /// Windows' `socket.fromshare(data)`: the socket `share` described, with `timeout`.
  /// Wrong-sized data → [`Error::arg_value`]; `EOPNOTSUPP` off Windows.
  pub fn fromshare(data: &[u8], timeout: Timeout) -> Result<Socket> {
    let (sock, family, ty, proto) = sys::fromshare(data).map_err(|e| Error::from_io(e, "WSASocket"))?;
    Socket::wrap(sock, family, ty & !TYPE_FLAGS, proto, timeout)
  }

  /// Windows' `socket.ioctl`: `WSAIoctl(control)` with `input` (the caller lays out the
  /// control's structure) and no output. `EOPNOTSUPP` elsewhere.
  pub fn ioctl(&self, control: u32, input: &[u8]) -> Result<()> {
    sys::ioctl_in(self.fileno(), control, input).map_err(|e| Error::from_io(e, "WSAIoctl"))
  }

  /// Closes the fd and reports `close(2)` errors (ECONNRESET is not an error here, as
  /// in CPython). The fd is gone either way.
  pub fn close(self) -> Result<()> {
    let fd = sys::into_raw(self.sock);
    match sys::close(fd) {
      Err(e) if e.raw_os_error() != Some(c::ECONNRESET) => Err(Error::from_io(e, "close")),
      _ => Ok(()),
    }
  }
}

/// `close(2)` on a bare fd number (Python's `socket.close(fd)`).
pub fn close_fd(fd: RawSock) -> Result<()> {
  sys::close(fd).map_err(|e| Error::from_io(e, "close"))
}

/// A close-on-exec duplicate of a bare fd (Python's `socket.dup(fd)`, used by `fromfd`).
pub fn dup_fd(fd: RawSock) -> Result<RawSock> {
  sys::dup_cloexec(fd).map_err(|e| Error::from_io(e, "dup"))
}

// The unit tests pin Linux/glibc behaviour and use libc directly.
#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;
  use std::time::{Duration, Instant};

  fn pair() -> (Socket, Socket) {
    Socket::pair(libc::AF_UNIX, libc::SOCK_STREAM, 0, Timeout::Blocking).unwrap()
  }

  #[test]
  fn socketpair_send_recv() {
    let (a, b) = pair();
    assert_eq!(a.io().send(b"hello", 0).unwrap(), 5);
    let mut buf = [0u8; 16];
    assert_eq!(b.io().recv_into(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf[..5], b"hello");
  }

  #[test]
  fn nonblocking_recv_says_eagain() {
    let (a, _b) = pair();
    let mut a = a;
    a.set_timeout(Timeout::NonBlocking).unwrap();
    let mut buf = [0u8; 4];
    let e = a.io().recv_into(&mut buf, 0).unwrap_err();
    assert!(e.is_would_block(), "{e:?}");
  }

  #[test]
  fn timeout_recv_times_out() {
    let (mut a, _b) = pair();
    a.set_timeout(Timeout::After(Duration::from_millis(50))).unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 4];
    assert_eq!(a.io().recv_into(&mut buf, 0), Err(Error::Timeout { syscall: "recv" }));
    assert!(t.elapsed() >= Duration::from_millis(50));
  }

  #[test]
  fn sockets_are_close_on_exec() {
    let (a, b) = pair();
    assert!(!a.inheritable().unwrap());
    assert!(!b.inheritable().unwrap());
    a.set_inheritable(true).unwrap();
    assert!(a.inheritable().unwrap());
  }

  #[test]
  fn send_to_closed_peer_is_epipe_not_sigpipe() {
    let (a, b) = pair();
    drop(b);
    assert_eq!(a.io().send(b"x", 0).unwrap_err().errno(), Some(libc::EPIPE));
  }

  #[test]
  fn adopt_reads_family_and_type() {
    let (a, _b) = Socket::pair(libc::AF_UNIX, libc::SOCK_SEQPACKET, 0, Timeout::Blocking).unwrap();
    let fd = a.detach();
    let s = Socket::adopt(fd, None, None, None, Timeout::Blocking).unwrap();
    assert_eq!((s.family(), s.socktype()), (libc::AF_UNIX, libc::SOCK_SEQPACKET));
  }

  #[test]
  fn adopt_refuses_non_sockets_without_closing_them() {
    let e = Socket::adopt(0, None, None, None, Timeout::Blocking);
    // stdin of a test run is not a socket (or is closed): either way nothing was taken.
    assert!(matches!(e, Err(Error::Os { errno, .. }) if errno == libc::ENOTSOCK || errno == libc::EBADF));
  }

  #[test]
  fn sock_nonblock_flag_means_nonblocking_mode() {
    let s = Socket::new(
      libc::AF_INET,
      libc::SOCK_STREAM | libc::SOCK_NONBLOCK,
      0,
      Timeout::Blocking,
    )
    .unwrap();
    assert_eq!(s.timeout(), Timeout::NonBlocking);
    assert_eq!(s.socktype(), libc::SOCK_STREAM);
  }
}
