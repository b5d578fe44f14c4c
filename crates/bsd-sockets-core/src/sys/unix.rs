//! The Unix backend (Linux first; macOS and the BSDs compile with the features they have).

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, RawFd};

use libc::c_int;

/// The C names of the portable modules: libc itself, plus the two POSIX calls the libc
/// crate does not export on every target.
pub mod c {
  pub use libc::*;

  unsafe extern "C" {
    /// `inet_pton(3)`.
    pub fn inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int;
    /// `inet_ntop(3)`.
    pub fn inet_ntop(af: c_int, src: *const c_void, dst: *mut c_char, size: socklen_t) -> *const c_char;
  }
}

/// A socket handle: a file descriptor.
pub type RawSock = RawFd;
/// A borrowed socket handle.
pub type Borrowed<'a> = BorrowedFd<'a>;

pub(crate) fn as_raw(s: &socket2::Socket) -> RawSock {
  s.as_raw_fd()
}

pub(crate) fn borrow(s: &socket2::Socket) -> Borrowed<'_> {
  s.as_fd()
}

pub(crate) fn raw_of(b: Borrowed<'_>) -> RawSock {
  b.as_raw_fd()
}

/// # Safety
/// `fd` must stay open for `'a`.
pub(crate) unsafe fn borrow_raw<'a>(fd: RawSock) -> Borrowed<'a> {
  // SAFETY: forwarded to the caller.
  unsafe { BorrowedFd::borrow_raw(fd) }
}

/// # Safety
/// `fd` must be an open socket the caller gives up.
pub(crate) unsafe fn from_raw(fd: RawSock) -> socket2::Socket {
  // SAFETY: forwarded to the caller.
  unsafe { socket2::Socket::from_raw_fd(fd) }
}

pub(crate) fn into_raw(s: socket2::Socket) -> RawSock {
  s.into_raw_fd()
}

/// A handle number from JavaScript, if it can name one (fds are `0..=INT_MAX`).
pub fn raw_from_i64(v: i64) -> Option<RawSock> {
  RawFd::try_from(v).ok().filter(|fd| *fd >= 0)
}

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
  /// Makes one call non-blocking whatever the fd's O_NONBLOCK says (see `Io`).
  pub(crate) const MSG_DONTWAIT: c_int = libc::MSG_DONTWAIT;
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
  pub(crate) const MSG_DONTWAIT: c_int = libc::MSG_DONTWAIT;
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
fn is_nonblocking(fd: RawFd) -> io::Result<bool> {
  // SAFETY: F_GETFL takes no argument.
  let flags = cvt(unsafe { libc::fcntl(fd, libc::F_GETFL) })?;
  Ok(flags & libc::O_NONBLOCK != 0)
}

/// The fd's O_NONBLOCK state, always known on Unix (`_want` is for systems that cannot
/// tell).
pub(crate) fn nonblocking_state(fd: RawFd, _want: bool) -> io::Result<Option<bool>> {
  is_nonblocking(fd).map(Some)
}

/// Asked after EAGAIN from a call made in blocking mode: is the fd non-blocking, so
/// that the caller should wait and retry? (An adopted fd can be, as can a watched one.)
pub(crate) fn nonblocking_after_eagain(fd: RawFd) -> bool {
  is_nonblocking(fd).unwrap_or(false)
}

/// Whether a `connect(2)` that failed with `errno` goes on in the background.
pub(crate) fn connect_in_progress(errno: c_int) -> bool {
  errno == libc::EINPROGRESS || errno == libc::EINTR
}

/// Unix's `TCP_QUICKACK` is a plain socket option.
pub(crate) const ACK_FREQUENCY_OPTION: Option<c_int> = None;

/// `socketpair(2)`.
pub(crate) fn socketpair(
  domain: socket2::Domain,
  ty: socket2::Type,
  protocol: Option<socket2::Protocol>,
) -> io::Result<(socket2::Socket, socket2::Socket)> {
  socket2::Socket::pair(domain, ty, protocol)
}

/// `getsockopt(2)` into `buf`; returns the length the kernel wrote.
pub(crate) fn getsockopt(fd: RawFd, level: c_int, name: c_int, buf: &mut [u8]) -> io::Result<usize> {
  let mut len = buf.len() as libc::socklen_t;
  // SAFETY: buf is writable for len bytes.
  cvt(unsafe { libc::getsockopt(fd, level, name, buf.as_mut_ptr().cast(), &mut len) })?;
  Ok(len as usize)
}

/// `setsockopt(2)` with `value` (NULL when `None`) and `len`.
pub(crate) fn setsockopt(fd: RawFd, level: c_int, name: c_int, value: Option<&[u8]>, len: u32) -> io::Result<()> {
  let ptr = value.map_or(std::ptr::null(), |v| v.as_ptr());
  // SAFETY: value is readable for len bytes (the caller passes its length), or NULL.
  cvt(unsafe { libc::setsockopt(fd, level, name, ptr.cast(), len as libc::socklen_t) }).map(drop)
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

/// Windows' `WSADuplicateSocketW`: not on Unix (fds travel with SCM_RIGHTS instead).
pub(crate) fn share(_fd: RawFd, _pid: u32) -> io::Result<Vec<u8>> {
  Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
}

/// Windows' `WSASocketW(FROM_PROTOCOL_INFO…)`: not on Unix.
pub(crate) fn fromshare(_data: &[u8]) -> io::Result<(socket2::Socket, c_int, c_int, c_int)> {
  Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
}

/// Windows' `WSAIoctl`: not on Unix, where `ioctl(2)` codes mean other things.
pub(crate) fn ioctl_in(_fd: RawFd, _control: u32, _input: &[u8]) -> io::Result<()> {
  Err(io::Error::from_raw_os_error(libc::EOPNOTSUPP))
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

/// Frees an `if_nameindex(3)` array when dropped.
struct NameIndex(*mut libc::if_nameindex);

impl Drop for NameIndex {
  fn drop(&mut self) {
    if !self.0.is_null() {
      // SAFETY: the pointer came from if_nameindex() and is freed once.
      unsafe { libc::if_freenameindex(self.0) };
    }
  }
}

/// `if_nameindex(3)`, copied out of the C library's array.
pub(crate) fn if_nameindex() -> io::Result<Vec<(u32, String)>> {
  // SAFETY: plain call; the result is checked for NULL and freed by the guard.
  let list = NameIndex(unsafe { libc::if_nameindex() });
  if list.0.is_null() {
    return Err(io::Error::last_os_error());
  }
  let mut out = Vec::new();
  let mut entry = list.0;
  loop {
    // SAFETY: the array is terminated by an entry with index 0 and a NULL name, so
    // every entry up to that one is valid to read.
    let item = unsafe { &*entry };
    if item.if_index == 0 && item.if_name.is_null() {
      break;
    }
    if !item.if_name.is_null() {
      // SAFETY: if_name is a NUL-terminated string owned by the array.
      let name = unsafe { std::ffi::CStr::from_ptr(item.if_name) }
        .to_string_lossy()
        .into_owned();
      out.push((item.if_index, name));
    }
    // SAFETY: not past the terminating entry (checked above).
    entry = unsafe { entry.add(1) };
  }
  Ok(out)
}

/// `gai_strerror(3)`: the C library's text for an `EAI_*` code.
pub(crate) fn gai_strerror(code: c_int) -> String {
  // SAFETY: gai_strerror returns a pointer to a constant string (or NULL).
  let text = unsafe { libc::gai_strerror(code) };
  if text.is_null() {
    return format!("Unknown error {code}");
  }
  // SAFETY: non-NULL results are NUL-terminated static strings.
  unsafe { std::ffi::CStr::from_ptr(text) }.to_string_lossy().into_owned()
}
