//! [`Socket`]: one owned socket fd with CPython's timeout semantics.
//!
//! Every call that can block goes through one loop: try the syscall; on `EINTR` try
//! again; on `EAGAIN`, if the socket's mode waits, `poll(2)` until ready or until the
//! deadline, then try again. In blocking mode the fd itself is blocking, so the
//! syscall blocks in the kernel exactly as in C (and `SO_RCVTIMEO` works as in C).
//! Unlike CPython we try before polling in timeout mode: a call that can complete at
//! once costs one syscall, not two.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::time::Instant;

use libc::c_int;
use socket2::{Domain, Protocol, SockAddr, Type};

use crate::error::{Error, Result};
use crate::msg::{self, Cmsg, RecvMsg};
use crate::sys;
use crate::timeout::{wait, Interest, Timeout};

/// Flags CPython strips from `type` (they are modes, not types).
#[cfg(any(
  target_os = "linux",
  target_os = "android",
  target_os = "freebsd",
  target_os = "netbsd",
  target_os = "openbsd",
  target_os = "dragonfly"
))]
const TYPE_FLAGS: c_int = libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
#[cfg(not(any(
  target_os = "linux",
  target_os = "android",
  target_os = "freebsd",
  target_os = "netbsd",
  target_os = "openbsd",
  target_os = "dragonfly"
)))]
const TYPE_FLAGS: c_int = 0;

/// A socket file descriptor with a CPython timeout mode. Dropping it closes the fd.
#[derive(Debug)]
pub struct Socket {
  sock: socket2::Socket,
  family: c_int,
  socktype: c_int,
  protocol: c_int,
  timeout: Timeout,
  /// Whether O_NONBLOCK is set on the fd right now (it follows `timeout`).
  nonblocking_fd: bool,
}

/// When the deadline of the current call is computed: on the first wait, so a call that
/// completes at once never reads the clock.
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

fn errno_of(e: &io::Error) -> i32 {
  e.raw_os_error().unwrap_or(libc::EIO)
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
    let timeout = if socktype & TYPE_FLAGS & !libc::SOCK_CLOEXEC != 0 {
      Timeout::NonBlocking
    } else {
      timeout
    };
    Socket::wrap(sock, family, socktype & !TYPE_FLAGS, protocol, timeout)
  }

  /// `socketpair(2)`: two connected, close-on-exec sockets.
  pub fn pair(
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    timeout: Timeout,
  ) -> Result<(Socket, Socket)> {
    let (a, b) = socket2::Socket::pair(
      Domain::from(family),
      Type::from(socktype),
      Some(Protocol::from(protocol)),
    )
    .map_err(|e| Error::from_io(e, "socketpair"))?;
    let timeout = if socktype & TYPE_FLAGS & !libc::SOCK_CLOEXEC != 0 {
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
  /// and nothing is closed.
  pub fn adopt(
    fd: RawFd,
    family: Option<c_int>,
    socktype: Option<c_int>,
    protocol: Option<c_int>,
    timeout: Timeout,
  ) -> Result<Socket> {
    if fd < 0 {
      return Err(Error::out_of_range(format!(
        "The value of \"fd\" is out of range. It must be >= 0. Received {fd}"
      )));
    }
    let (kf, kt, kp) = sys::socket_kind(fd).map_err(|e| Error::from_io(e, "getsockopt"))?;
    // SAFETY: fd is an open socket (checked above) and the caller hands it to us.
    let sock = unsafe { socket2::Socket::from_raw_fd(fd) };
    Socket::wrap(
      sock,
      family.unwrap_or(kf),
      socktype.unwrap_or(kt) & !TYPE_FLAGS,
      protocol.unwrap_or(kp),
      timeout,
    )
  }

  fn wrap(
    sock: socket2::Socket,
    family: c_int,
    socktype: c_int,
    protocol: c_int,
    timeout: Timeout,
  ) -> Result<Socket> {
    let nonblocking_fd =
      sys::is_nonblocking(sock.as_raw_fd()).map_err(|e| Error::from_io(e, "fcntl"))?;
    let mut s = Socket {
      sock,
      family,
      socktype,
      protocol,
      timeout: Timeout::Blocking,
      nonblocking_fd,
    };
    s.set_timeout(timeout)?;
    Ok(s)
  }

  /// The fd number (valid until `close`/`detach`/drop).
  pub fn fileno(&self) -> RawFd {
    self.sock.as_raw_fd()
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
    let want_nonblocking = timeout != Timeout::Blocking;
    if want_nonblocking != self.nonblocking_fd {
      sys::set_nonblocking(self.fileno(), want_nonblocking)
        .map_err(|e| Error::from_io(e, "fcntl"))?;
      self.nonblocking_fd = want_nonblocking;
    }
    self.timeout = timeout;
    Ok(())
  }

  /// The retry loop of every call that can block (see the module docs).
  fn run<T>(
    &self,
    interest: Interest,
    syscall: &'static str,
    mut deadline: Deadline,
    mut f: impl FnMut(&socket2::Socket) -> io::Result<T>,
  ) -> Result<T> {
    loop {
      match f(&self.sock) {
        Ok(v) => return Ok(v),
        Err(e) => {
          let errno = errno_of(&e);
          if errno == libc::EINTR {
            continue;
          }
          let would_block = errno == libc::EAGAIN || errno == libc::EWOULDBLOCK;
          // With a blocking fd, EAGAIN can only come from SO_RCVTIMEO/SO_SNDTIMEO or
          // MSG_DONTWAIT: the caller asked for it, so it is reported, as in C.
          if would_block && self.nonblocking_fd && self.timeout.waits() {
            wait(self.fileno(), interest, deadline.get(self.timeout), syscall)?;
            continue;
          }
          return Err(Error::Os { errno, syscall });
        }
      }
    }
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

  /// `accept4(2)` with SOCK_CLOEXEC. The new socket gets `timeout` — the caller passes
  /// the *default* timeout, never the listener's (CPython's rule).
  pub fn accept(&self, timeout: Timeout) -> Result<(Socket, SockAddr)> {
    let (sock, addr) = self.run(Interest::Read, "accept", Deadline::Lazy, |s| s.accept())?;
    let s = Socket::wrap(sock, self.family, self.socktype, self.protocol, timeout)?;
    Ok((s, addr))
  }

  /// `connect(2)`. In timeout mode: a non-blocking connect, a wait for writability, then
  /// `SO_ERROR`. After EINTR in blocking mode the connect goes on in the kernel, so we
  /// wait for it rather than calling connect again (which would say EALREADY).
  pub fn connect(&self, addr: &SockAddr) -> Result<()> {
    let err = match self.sock.connect(addr) {
      Ok(()) => return Ok(()),
      Err(e) => errno_of(&e),
    };
    let pending = if self.nonblocking_fd {
      err == libc::EINPROGRESS
    } else {
      err == libc::EINTR
    };
    if !(pending && self.timeout.waits()) {
      return Err(Error::Os {
        errno: err,
        syscall: "connect",
      });
    }
    wait(
      self.fileno(),
      Interest::Write,
      self.timeout.deadline(),
      "connect",
    )?;
    match self.sock.take_error() {
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
      Err(Error::Timeout { .. }) => Ok(libc::EAGAIN),
      Err(e) => Err(e),
    }
  }

  /// `recv(2)` into `buf`; returns the byte count (0 = orderly EOF on a stream, or an
  /// empty datagram).
  pub fn recv_into(&self, buf: &mut [u8], flags: c_int) -> Result<usize> {
    self.run(Interest::Read, "recv", Deadline::Lazy, |s| {
      s.recv_with_flags(uninit(buf), flags)
    })
  }

  /// `recvfrom(2)` into `buf`; the address is `None` when the kernel gives none.
  pub fn recv_from_into(&self, buf: &mut [u8], flags: c_int) -> Result<(usize, SockAddr)> {
    self.run(Interest::Read, "recvfrom", Deadline::Lazy, |s| {
      s.recv_from_with_flags(uninit(buf), flags)
    })
  }

  /// `recvmsg(2)` scattering into `bufs`, with room for `ancbufsize` bytes of ancillary
  /// data. SCM_RIGHTS fds arrive close-on-exec.
  pub fn recvmsg_into(
    &self,
    bufs: &mut [&mut [u8]],
    ancbufsize: usize,
    flags: c_int,
  ) -> Result<RecvMsg> {
    let fd = self.fileno();
    let mut control = msg::control_buffer(ancbufsize);
    let mut m = self.run(Interest::Read, "recvmsg", Deadline::Lazy, |_| {
      msg::recvmsg(
        fd,
        bufs,
        &mut control,
        ancbufsize,
        flags | sys::MSG_CMSG_CLOEXEC,
      )
    })?;
    // Linux echoes MSG_CMSG_CLOEXEC in msg_flags; report only what the caller asked for.
    m.flags &= !(sys::MSG_CMSG_CLOEXEC & !flags);
    Ok(m)
  }

  /// `send(2)` with MSG_NOSIGNAL; may send less than `buf`.
  pub fn send(&self, buf: &[u8], flags: c_int) -> Result<usize> {
    self.run(Interest::Write, "send", Deadline::Lazy, |s| {
      s.send_with_flags(buf, flags | sys::MSG_NOSIGNAL)
    })
  }

  /// Sends all of `buf` or fails; in timeout mode the timeout bounds the whole call.
  pub fn sendall(&self, buf: &[u8], flags: c_int) -> Result<()> {
    let deadline = self.timeout.deadline();
    let mut sent = 0;
    while sent < buf.len() {
      sent += self.run(Interest::Write, "send", Deadline::Fixed(deadline), |s| {
        s.send_with_flags(&buf[sent..], flags | sys::MSG_NOSIGNAL)
      })?;
    }
    Ok(())
  }

  /// `sendto(2)` with MSG_NOSIGNAL.
  pub fn send_to(&self, buf: &[u8], flags: c_int, addr: &SockAddr) -> Result<usize> {
    self.run(Interest::Write, "sendto", Deadline::Lazy, |s| {
      s.send_to_with_flags(buf, addr, flags | sys::MSG_NOSIGNAL)
    })
  }

  /// `sendmsg(2)` gathering `bufs`, with ancillary data items and an optional address.
  pub fn sendmsg(
    &self,
    bufs: &[&[u8]],
    ancillary: &[Cmsg],
    flags: c_int,
    addr: Option<&SockAddr>,
  ) -> Result<usize> {
    let fd = self.fileno();
    let control = msg::encode_control(ancillary)?;
    self.run(Interest::Write, "sendmsg", Deadline::Lazy, |_| {
      msg::sendmsg(fd, bufs, &control, flags | sys::MSG_NOSIGNAL, addr)
    })
  }

  /// Python's `socket.sendfile(file, offset, count)`: `sendfile(2)` from `in_fd`
  /// starting at `offset`, until `count` bytes or EOF; falls back to read+send for files
  /// the kernel cannot splice. Leaves `in_fd`'s position after the last byte sent.
  pub fn sendfile(&self, in_fd: RawFd, offset: u64, count: Option<u64>) -> Result<u64> {
    if self.socktype != libc::SOCK_STREAM {
      return Err(Error::arg_value(
        "only SOCK_STREAM type sockets are supported",
      ));
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
            if errno == libc::EINTR {
              continue;
            }
            if (errno == libc::EAGAIN || errno == libc::EWOULDBLOCK) && self.nonblocking_fd {
              wait(
                self.fileno(),
                Interest::Write,
                self.timeout.deadline(),
                "sendfile",
              )?;
              continue;
            }
            if off == start
              && (errno == libc::EINVAL || errno == libc::ENOSYS || errno == libc::ESPIPE)
            {
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

  fn sendfile_by_copy(
    &self,
    in_fd: RawFd,
    off: &mut i64,
    start: i64,
    count: Option<u64>,
  ) -> Result<()> {
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
          Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
          r => break r.map_err(|e| Error::from_io(e, "read"))?,
        }
      };
      if n == 0 {
        return Ok(());
      }
      self.sendall(&buf[..n], 0)?;
      *off += n as i64;
    }
  }

  fn leave_file_at(&self, in_fd: RawFd, start: i64, off: i64) {
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
    let mut v: c_int = 0;
    let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
    // SAFETY: v and len describe a writable int.
    let r = unsafe {
      libc::getsockopt(
        self.fileno(),
        level,
        name,
        (&mut v as *mut c_int).cast(),
        &mut len,
      )
    };
    if r < 0 {
      return Err(Error::last_os("getsockopt"));
    }
    Ok(v)
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
    let mut len = buflen as libc::socklen_t;
    // SAFETY: buf is writable for len bytes.
    let r = unsafe {
      libc::getsockopt(
        self.fileno(),
        level,
        name,
        buf.as_mut_ptr().cast(),
        &mut len,
      )
    };
    if r < 0 {
      return Err(Error::last_os("getsockopt"));
    }
    buf.truncate(len as usize);
    Ok(buf)
  }

  /// `setsockopt(2)` with a C int.
  pub fn setsockopt_int(&self, level: c_int, name: c_int, value: c_int) -> Result<()> {
    self.setsockopt_bytes(level, name, &value.to_ne_bytes())
  }

  /// `setsockopt(2)` with raw option bytes.
  pub fn setsockopt_bytes(&self, level: c_int, name: c_int, value: &[u8]) -> Result<()> {
    // SAFETY: value is readable for its length.
    let r = unsafe {
      libc::setsockopt(
        self.fileno(),
        level,
        name,
        value.as_ptr().cast(),
        value.len() as libc::socklen_t,
      )
    };
    if r < 0 {
      return Err(Error::last_os("setsockopt"));
    }
    Ok(())
  }

  /// `setsockopt(2)` with a NULL value and `optlen` (options that take no data, such as
  /// AF_ALG's ALG_SET_AEAD_AUTHSIZE).
  pub fn setsockopt_null(&self, level: c_int, name: c_int, optlen: u32) -> Result<()> {
    // SAFETY: a NULL optval is what the caller asked for; the kernel validates it.
    let r = unsafe {
      libc::setsockopt(
        self.fileno(),
        level,
        name,
        std::ptr::null(),
        optlen as libc::socklen_t,
      )
    };
    if r < 0 {
      return Err(Error::last_os("setsockopt"));
    }
    Ok(())
  }

  /// `getsockname(2)`.
  pub fn local_addr(&self) -> Result<SockAddr> {
    self
      .sock
      .local_addr()
      .map_err(|e| Error::from_io(e, "getsockname"))
  }

  /// `getpeername(2)`.
  pub fn peer_addr(&self) -> Result<SockAddr> {
    self
      .sock
      .peer_addr()
      .map_err(|e| Error::from_io(e, "getpeername"))
  }

  /// `dup`: a new close-on-exec fd for the same socket, with the same timeout.
  pub fn dup(&self) -> Result<Socket> {
    let fd = sys::dup_cloexec(self.fileno()).map_err(|e| Error::from_io(e, "dup"))?;
    // SAFETY: fd was just created and is ours.
    let sock = unsafe { socket2::Socket::from_raw_fd(fd) };
    Ok(Socket {
      sock,
      family: self.family,
      socktype: self.socktype,
      protocol: self.protocol,
      timeout: self.timeout,
      nonblocking_fd: self.nonblocking_fd,
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
  pub fn detach(self) -> RawFd {
    self.sock.into_raw_fd()
  }

  /// Closes the fd and reports `close(2)` errors (ECONNRESET is not an error here, as
  /// in CPython). The fd is gone either way.
  pub fn close(self) -> Result<()> {
    let fd = self.sock.into_raw_fd();
    match sys::close(fd) {
      Err(e) if e.raw_os_error() != Some(libc::ECONNRESET) => Err(Error::from_io(e, "close")),
      _ => Ok(()),
    }
  }
}

/// `close(2)` on a bare fd number (Python's `socket.close(fd)`).
pub fn close_fd(fd: RawFd) -> Result<()> {
  sys::close(fd).map_err(|e| Error::from_io(e, "close"))
}

/// A close-on-exec duplicate of a bare fd (Python's `socket.dup(fd)`, used by `fromfd`).
pub fn dup_fd(fd: RawFd) -> Result<RawFd> {
  sys::dup_cloexec(fd).map_err(|e| Error::from_io(e, "dup"))
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::time::Duration;

  fn pair() -> (Socket, Socket) {
    Socket::pair(libc::AF_UNIX, libc::SOCK_STREAM, 0, Timeout::Blocking).unwrap()
  }

  #[test]
  fn socketpair_send_recv() {
    let (a, b) = pair();
    assert_eq!(a.send(b"hello", 0).unwrap(), 5);
    let mut buf = [0u8; 16];
    assert_eq!(b.recv_into(&mut buf, 0).unwrap(), 5);
    assert_eq!(&buf[..5], b"hello");
  }

  #[test]
  fn nonblocking_recv_says_eagain() {
    let (a, _b) = pair();
    let mut a = a;
    a.set_timeout(Timeout::NonBlocking).unwrap();
    let mut buf = [0u8; 4];
    let e = a.recv_into(&mut buf, 0).unwrap_err();
    assert!(e.is_would_block(), "{e:?}");
  }

  #[test]
  fn timeout_recv_times_out() {
    let (mut a, _b) = pair();
    a.set_timeout(Timeout::After(Duration::from_millis(50)))
      .unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 4];
    assert_eq!(
      a.recv_into(&mut buf, 0),
      Err(Error::Timeout { syscall: "recv" })
    );
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
    assert_eq!(a.send(b"x", 0).unwrap_err().errno(), Some(libc::EPIPE));
  }

  #[test]
  fn adopt_reads_family_and_type() {
    let (a, _b) = Socket::pair(libc::AF_UNIX, libc::SOCK_SEQPACKET, 0, Timeout::Blocking).unwrap();
    let fd = a.detach();
    let s = Socket::adopt(fd, None, None, None, Timeout::Blocking).unwrap();
    assert_eq!(
      (s.family(), s.socktype()),
      (libc::AF_UNIX, libc::SOCK_SEQPACKET)
    );
  }

  #[test]
  fn adopt_refuses_non_sockets_without_closing_them() {
    let e = Socket::adopt(0, None, None, None, Timeout::Blocking);
    // stdin of a test run is not a socket (or is closed): either way nothing was taken.
    assert!(
      matches!(e, Err(Error::Os { errno, .. }) if errno == libc::ENOTSOCK || errno == libc::EBADF)
    );
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
