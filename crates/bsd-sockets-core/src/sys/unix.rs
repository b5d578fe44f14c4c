//! The Unix backend (Linux first; macOS and the BSDs compile with the features they have).

use std::io;
use std::os::fd::RawFd;

use libc::c_int;

/// Flags that only some Unixes have, in one place: the BSD-socket systems with the
/// Linux extensions get the real values, the others (Apple) 0 and their own mechanism.
#[cfg(any(
  target_os = "linux",
  target_os = "android",
  target_os = "freebsd",
  target_os = "netbsd",
  target_os = "openbsd",
  target_os = "dragonfly"
))]
mod flags {
  use libc::c_int;

  /// Sends never raise SIGPIPE: the caller gets `EPIPE` instead (Node ignores SIGPIPE,
  /// but an embedder may not; Apple sockets get `SO_NOSIGPIPE` from socket2 instead).
  pub(crate) const MSG_NOSIGNAL: c_int = libc::MSG_NOSIGNAL;
  /// fds received with SCM_RIGHTS are close-on-exec, like every fd we create (PEP 446).
  pub(crate) const MSG_CMSG_CLOEXEC: c_int = libc::MSG_CMSG_CLOEXEC;
  /// Flags CPython strips from a socket's `type`: they are modes, not types.
  pub(crate) const TYPE_FLAGS: c_int = libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
  /// The one of them that makes a new socket non-blocking.
  pub(crate) const SOCK_NONBLOCK: c_int = libc::SOCK_NONBLOCK;
}

#[cfg(not(any(
  target_os = "linux",
  target_os = "android",
  target_os = "freebsd",
  target_os = "netbsd",
  target_os = "openbsd",
  target_os = "dragonfly"
)))]
mod flags {
  use libc::c_int;

  pub(crate) const MSG_NOSIGNAL: c_int = 0;
  pub(crate) const MSG_CMSG_CLOEXEC: c_int = 0;
  pub(crate) const TYPE_FLAGS: c_int = 0;
  pub(crate) const SOCK_NONBLOCK: c_int = 0;
}

pub(crate) use flags::*;

fn cvt(r: c_int) -> io::Result<c_int> {
  if r == -1 {
    Err(io::Error::last_os_error())
  } else {
    Ok(r)
  }
}

/// `poll(2)` on one fd. Returns the revents (0 on timeout). EINTR is the caller's to retry,
/// because only the caller knows how much time is left.
pub(crate) fn poll_one(fd: RawFd, events: i16, timeout_ms: c_int) -> io::Result<i16> {
  let mut pfd = libc::pollfd { fd, events, revents: 0 };
  // SAFETY: one valid pollfd, count 1.
  let n = cvt(unsafe { libc::poll(&mut pfd, 1, timeout_ms) })?;
  Ok(if n == 0 { 0 } else { pfd.revents })
}

pub(crate) const POLLIN: i16 = libc::POLLIN;
pub(crate) const POLLOUT: i16 = libc::POLLOUT;

/// Current O_NONBLOCK state of an fd.
pub(crate) fn is_nonblocking(fd: RawFd) -> io::Result<bool> {
  // SAFETY: F_GETFL takes no argument.
  let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
  Ok(flags & libc::O_NONBLOCK != 0)
}

/// Sets or clears O_NONBLOCK (one fcntl pair; skipped when already in that state).
pub(crate) fn set_nonblocking(fd: RawFd, on: bool) -> io::Result<()> {
  // SAFETY: F_GETFL/F_SETFL with an int flag word.
  let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
  let new = if on {
    flags | libc::O_NONBLOCK
  } else {
    flags & !libc::O_NONBLOCK
  };
  if new != flags {
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFL, new) })?;
  }
  Ok(())
}

/// True when FD_CLOEXEC is set (the fd is *not* inheritable).
pub(crate) fn get_cloexec(fd: RawFd) -> io::Result<bool> {
  // SAFETY: F_GETFD takes no argument.
  let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
  Ok(flags & libc::FD_CLOEXEC != 0)
}

/// Sets or clears FD_CLOEXEC.
pub(crate) fn set_cloexec(fd: RawFd, on: bool) -> io::Result<()> {
  // SAFETY: F_GETFD/F_SETFD with an int flag word.
  let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFD) })?;
  let new = if on {
    flags | libc::FD_CLOEXEC
  } else {
    flags & !libc::FD_CLOEXEC
  };
  if new != flags {
    cvt(unsafe { libc::fcntl(fd, libc::F_SETFD, new) })?;
  }
  Ok(())
}

/// `fcntl(F_DUPFD_CLOEXEC)`: a new, non-inheritable fd for the same open socket.
pub(crate) fn dup_cloexec(fd: RawFd) -> io::Result<RawFd> {
  // SAFETY: F_DUPFD_CLOEXEC with a minimum fd number of 0.
  cvt(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) })
}

fn getsockopt_int(fd: RawFd, level: c_int, name: c_int) -> io::Result<c_int> {
  let mut v: c_int = 0;
  let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
  // SAFETY: v and len are valid for writes of an int.
  cvt(unsafe { libc::getsockopt(fd, level, name, (&mut v as *mut c_int).cast(), &mut len) })?;
  Ok(v)
}

/// Family, type and protocol of an open socket (`ENOTSOCK`/`EBADF` otherwise).
/// Linux answers all three with SO_DOMAIN/SO_TYPE/SO_PROTOCOL; elsewhere the family
/// comes from getsockname and the protocol is reported as 0.
pub(crate) fn socket_kind(fd: RawFd) -> io::Result<(c_int, c_int, c_int)> {
  let ty = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE)?;
  #[cfg(any(target_os = "linux", target_os = "android"))]
  {
    let family = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_DOMAIN)?;
    let proto = getsockopt_int(fd, libc::SOL_SOCKET, libc::SO_PROTOCOL)?;
    Ok((family, ty, proto))
  }
  #[cfg(not(any(target_os = "linux", target_os = "android")))]
  {
    // SAFETY: sockaddr_storage is plain data; len is its size.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    cvt(unsafe { libc::getsockname(fd, (&mut ss as *mut libc::sockaddr_storage).cast(), &mut len) })?;
    Ok((ss.ss_family as c_int, ty, 0))
  }
}

/// `shutdown(2)` with the caller's `how`, unchecked: the kernel says EINVAL for bad values,
/// exactly as in C.
pub(crate) fn shutdown(fd: RawFd, how: c_int) -> io::Result<()> {
  // SAFETY: plain syscall on an fd we own.
  cvt(unsafe { libc::shutdown(fd, how) }).map(drop)
}

/// `close(2)`, never retried: after EINTR the fd state is unspecified on Linux and
/// retrying could close an fd another thread just got.
pub(crate) fn close(fd: RawFd) -> io::Result<()> {
  // SAFETY: the caller gives up ownership of fd.
  cvt(unsafe { libc::close(fd) }).map(drop)
}

/// One `sendfile(2)` call from `in_fd` at `*offset` to the socket.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn sendfile(out_fd: RawFd, in_fd: RawFd, offset: &mut i64, count: usize) -> io::Result<usize> {
  let mut off: libc::off_t = *offset as libc::off_t;
  // SAFETY: off is a valid off_t the kernel advances.
  let n = unsafe { libc::sendfile(out_fd, in_fd, &mut off, count) };
  if n < 0 {
    return Err(io::Error::last_os_error());
  }
  *offset = off as i64;
  Ok(n as usize)
}

/// Platforms without Linux's sendfile use the read+send fallback.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn sendfile(_out: RawFd, _in: RawFd, _offset: &mut i64, _count: usize) -> io::Result<usize> {
  Err(io::Error::from_raw_os_error(libc::ENOSYS))
}

/// `pread(2)`, for the sendfile fallback on files the kernel cannot splice.
pub(crate) fn pread(fd: RawFd, buf: &mut [u8], offset: i64) -> io::Result<usize> {
  // SAFETY: buf is valid for buf.len() bytes.
  let n = unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), offset as libc::off_t) };
  if n < 0 {
    Err(io::Error::last_os_error())
  } else {
    Ok(n as usize)
  }
}

/// `lseek(fd, pos, SEEK_SET)`: sendfile leaves the file position after what was sent,
/// as Python's `socket.sendfile` does with `file.seek`.
pub(crate) fn seek(fd: RawFd, pos: i64) -> io::Result<()> {
  // SAFETY: plain syscall.
  let r = unsafe { libc::lseek(fd, pos as libc::off_t, libc::SEEK_SET) };
  if r < 0 {
    Err(io::Error::last_os_error())
  } else {
    Ok(())
  }
}

/// Blocks SIGPIPE on this thread while alive, because `sendfile(2)` has no
/// MSG_NOSIGNAL. On drop, a SIGPIPE that our call raised (pending now, not before) is
/// consumed, then the old mask comes back — so the process never sees it.
pub(crate) struct SigpipeGuard {
  old: libc::sigset_t,
  was_pending: bool,
}

impl SigpipeGuard {
  pub(crate) fn new() -> SigpipeGuard {
    // SAFETY: sigset_t is plain data initialised by sigemptyset; pthread_sigmask with
    // valid pointers.
    unsafe {
      let mut set: libc::sigset_t = std::mem::zeroed();
      let mut old: libc::sigset_t = std::mem::zeroed();
      libc::sigemptyset(&mut set);
      libc::sigaddset(&mut set, libc::SIGPIPE);
      libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
      SigpipeGuard {
        old,
        was_pending: sigpipe_pending(),
      }
    }
  }
}

fn sigpipe_pending() -> bool {
  // SAFETY: sigpending fills a sigset_t we own.
  unsafe {
    let mut pending: libc::sigset_t = std::mem::zeroed();
    libc::sigpending(&mut pending);
    libc::sigismember(&pending, libc::SIGPIPE) == 1
  }
}

impl Drop for SigpipeGuard {
  fn drop(&mut self) {
    if !self.was_pending && sigpipe_pending() {
      consume_sigpipe();
    }
    // SAFETY: restores the mask saved in new().
    unsafe {
      libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut());
    }
  }
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn consume_sigpipe() {
  // SAFETY: sigtimedwait with a zero timeout on a set holding only SIGPIPE, which is
  // blocked and pending: returns at once.
  unsafe {
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::sigaddset(&mut set, libc::SIGPIPE);
    let ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    libc::sigtimedwait(&set, std::ptr::null_mut(), &ts);
  }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
fn consume_sigpipe() {
  // SAFETY: sigwait on a blocked, pending signal returns at once.
  unsafe {
    let mut set: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut set);
    libc::sigaddset(&mut set, libc::SIGPIPE);
    let mut sig = 0;
    libc::sigwait(&set, &mut sig);
  }
}
