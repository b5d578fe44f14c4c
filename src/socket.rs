//! `NativeSocket`: one core `Socket` per JS object. Every method is a type conversion
//! around one core call. A closed socket answers `EBADF` without touching any fd.

use bsd_sockets_core::c;
use bsd_sockets_core::msg::{Cmsg, RecvMsg};
use bsd_sockets_core::{addr, Error as CoreError, Socket, Timeout};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use std::rc::Rc;

use crate::address::JsAddress;
use crate::errors::{throw, OrThrow};
use crate::instance;
use crate::reactor::Backend;

/// `[nbytes, ancdata, msgFlags, address]` of recvmsg on its way to JS.
type RecvMsgTuple = (u32, Vec<(i32, i32, Buffer)>, i32, JsAddress);

/// The native half of the TS `Socket` class. Not public API: use `Socket`.
#[napi(custom_finalize)]
pub struct NativeSocket {
  inner: Option<Socket>,
  /// The event-loop watch of the fd, once an async call needed one.
  watch: Option<(Rc<Backend>, u32)>,
}

impl ObjectFinalize for NativeSocket {
  /// A collected socket: its watch is closed before its fd (libuv must not poll a
  /// closed fd number that another socket may get next).
  fn finalize(mut self, _env: Env) -> Result<()> {
    self.unwatch();
    Ok(())
  }
}

fn timeout(env: &Env, secs: Option<f64>) -> Result<Timeout> {
  Timeout::from_secs(secs).or_throw(env)
}

fn sockaddr(env: &Env, raw: &[u8]) -> Result<socket2::SockAddr> {
  addr::from_raw(raw).or_throw(env)
}

/// Ancillary items from JS as the core's control messages.
fn cmsgs(items: Vec<(i32, i32, &[u8])>) -> Vec<Cmsg> {
  items
    .into_iter()
    .map(|(level, kind, d)| Cmsg {
      level,
      kind,
      data: d.to_vec(),
    })
    .collect()
}

/// What recvmsg returned, shaped for JS.
fn recvmsg_tuple(m: RecvMsg) -> RecvMsgTuple {
  let anc = m
    .ancillary
    .into_iter()
    .map(|c| (c.level, c.kind, Buffer::from(c.data)))
    .collect();
  (m.nbytes as u32, anc, m.flags, JsAddress::from_sockaddr(&m.addr))
}

impl NativeSocket {
  /// Ends the watch, if any: waiters settle as closed, the poll handle stops and closes.
  fn unwatch(&mut self) {
    if let Some((backend, slot)) = self.watch.take() {
      backend.unwatch(slot);
    }
  }

  fn wrap(s: Socket) -> NativeSocket {
    NativeSocket {
      inner: Some(s),
      watch: None,
    }
  }

  #[inline]
  fn sock(&self, env: &Env, syscall: &'static str) -> Result<&Socket> {
    match &self.inner {
      Some(s) => Ok(s),
      None => Err(throw(env, CoreError::os(c::EBADF, syscall), None)),
    }
  }
}

#[napi]
impl NativeSocket {
  /// `socket(2)`.
  #[napi(factory)]
  pub fn open(env: Env, family: i32, socktype: i32, protocol: i32, timeout_secs: Option<f64>) -> Result<Self> {
    let t = timeout(&env, timeout_secs)?;
    Ok(Self::wrap(Socket::new(family, socktype, protocol, t).or_throw(&env)?))
  }

  /// Takes ownership of an open socket fd (family/type/proto read from the kernel
  /// unless given).
  #[napi(factory)]
  pub fn adopt(
    env: Env,
    fd: i64,
    family: Option<i32>,
    socktype: Option<i32>,
    protocol: Option<i32>,
    timeout_secs: Option<f64>,
  ) -> Result<Self> {
    let fd = handle(&env, fd)?;
    let t = timeout(&env, timeout_secs)?;
    Ok(Self::wrap(
      Socket::adopt(fd, family, socktype, protocol, t).or_throw(&env)?,
    ))
  }

  /// The fd, or -1 once closed or detached.
  #[napi]
  pub fn fileno(&self) -> i64 {
    self.inner.as_ref().map_or(-1, |s| s.fileno() as i64)
  }

  /// `[family, type, proto]` as the socket was created or adopted.
  #[napi]
  pub fn kind(&self, env: Env) -> Result<(i32, i32, i32)> {
    let s = self.sock(&env, "getsockopt")?;
    Ok((s.family(), s.socktype(), s.protocol()))
  }

  /// The timeout in seconds (null blocking, 0 non-blocking).
  #[napi]
  pub fn timeout(&self) -> Option<f64> {
    self.inner.as_ref().and_then(|s| s.timeout().as_secs())
  }

  /// `settimeout` (seconds; null blocks, 0 never waits).
  #[napi]
  pub fn set_timeout(&mut self, env: Env, secs: Option<f64>) -> Result<()> {
    let t = timeout(&env, secs)?;
    match &mut self.inner {
      Some(s) => s.set_timeout(t).or_throw(&env),
      None => Err(throw(&env, CoreError::os(c::EBADF, "fcntl"), None)),
    }
  }

  /// `bind(2)` to an encoded address.
  #[napi]
  pub fn bind(&self, env: Env, raw: &[u8]) -> Result<()> {
    let sa = sockaddr(&env, raw)?;
    self.sock(&env, "bind")?.bind(&sa).or_throw_at(&env, &sa)
  }

  /// `listen(2)`.
  #[napi]
  pub fn listen(&self, env: Env, backlog: i32) -> Result<()> {
    self.sock(&env, "listen")?.listen(backlog).or_throw(&env)
  }

  /// `accept4(2)`; the new socket gets `timeoutSecs` (the default timeout).
  #[napi(ts_return_type = "[NativeSocket, any]")]
  pub fn accept(&self, env: Env, timeout_secs: Option<f64>) -> Result<(NativeSocket, JsAddress)> {
    let t = timeout(&env, timeout_secs)?;
    let (s, sa) = self.sock(&env, "accept")?.accept(t).or_throw(&env)?;
    Ok((Self::wrap(s), JsAddress::from_sockaddr(&sa)))
  }

  /// `connect(2)` honouring the timeout mode.
  #[napi]
  pub fn connect(&self, env: Env, raw: &[u8]) -> Result<()> {
    let sa = sockaddr(&env, raw)?;
    self.sock(&env, "connect")?.io().connect(&sa).or_throw_at(&env, &sa)
  }

  /// `connect_ex`: the errno (0 on success); EBADF's number when closed, without a
  /// syscall.
  #[napi]
  pub fn connect_ex(&self, env: Env, raw: &[u8]) -> Result<i32> {
    let sa = sockaddr(&env, raw)?;
    match &self.inner {
      Some(s) => s.io().connect_ex(&sa).or_throw_at(&env, &sa),
      None => Ok(c::EBADF),
    }
  }

  /// `recvmsg(2)` scattering into `buffers`: `[nbytes, [[level, type, data]...],
  /// msgFlags, address]`. With `once`, a single non-blocking attempt that returns
  /// `null` when nothing is waiting (what async calls use between waits); otherwise
  /// the socket's timeout mode applies.
  #[napi(ts_return_type = "[number, Array<[number, number, Buffer]>, number, any] | null")]
  pub fn recvmsg_into(
    &self,
    env: Env,
    mut buffers: Vec<Uint8ArraySlice<'_>>,
    ancbufsize: u32,
    flags: i32,
    once: bool,
  ) -> Result<Option<RecvMsgTuple>> {
    let s = self.sock(&env, "recvmsg")?;
    // SAFETY: each view's memory lives for the call and only the kernel writes it.
    let mut buffers: Vec<&mut [u8]> = buffers.iter_mut().map(|b| unsafe { b.as_mut() }).collect();
    let io = if once { s.nonblocking_io() } else { s.io() };
    match io.recvmsg_into(&mut buffers, ancbufsize as usize, flags) {
      Ok(m) => Ok(Some(recvmsg_tuple(m))),
      Err(e) if once && e.is_would_block() => Ok(None),
      Err(e) => Err(throw(&env, e, None)),
    }
  }

  /// `sendmsg(2)` gathering `buffers`, with `[level, type, data]` ancillary items; the
  /// count sent. With `once`, a single non-blocking attempt that returns -1 when it
  /// would block; otherwise the socket's timeout mode applies.
  #[napi]
  pub fn sendmsg(
    &self,
    env: Env,
    buffers: Vec<&[u8]>,
    ancillary: Vec<(i32, i32, &[u8])>,
    flags: i32,
    raw: Option<&[u8]>,
    once: bool,
  ) -> Result<i64> {
    let sa = raw.map(|r| sockaddr(&env, r)).transpose()?;
    let anc = cmsgs(ancillary);
    let s = self.sock(&env, "sendmsg")?;
    let io = if once { s.nonblocking_io() } else { s.io() };
    match io.sendmsg(&buffers, &anc, flags, sa.as_ref()) {
      Ok(n) => Ok(n as i64),
      Err(e) if once && e.is_would_block() => Ok(-1),
      Err(e) => Err(throw(&env, e, sa.as_ref())),
    }
  }

  /// `socket.sendfile(file, offset, count)`; returns bytes sent.
  #[napi]
  pub fn sendfile(&self, env: Env, fd: i32, offset: f64, count: Option<f64>) -> Result<f64> {
    let s = self.sock(&env, "sendfile")?;
    Ok(s.sendfile(fd, offset as u64, count.map(|c| c as u64)).or_throw(&env)? as f64)
  }

  /// `shutdown(2)`.
  #[napi]
  pub fn shutdown(&self, env: Env, how: i32) -> Result<()> {
    self.sock(&env, "shutdown")?.shutdown(how).or_throw(&env)
  }

  /// `getsockopt(2)` of a C int.
  #[napi]
  pub fn getsockopt_int(&self, env: Env, level: i32, name: i32) -> Result<i32> {
    self
      .sock(&env, "getsockopt")?
      .getsockopt_int(level, name)
      .or_throw(&env)
  }

  /// Windows' `share(pid)`: the bytes `fromshare` needs in process `pid`.
  #[napi]
  pub fn share(&self, env: Env, pid: u32) -> Result<Buffer> {
    Ok(Buffer::from(
      self.sock(&env, "WSADuplicateSocket")?.share(pid).or_throw(&env)?,
    ))
  }

  /// Windows' `WSAIoctl(control)` with `input` bytes and no output.
  #[napi]
  pub fn ioctl(&self, env: Env, control: u32, input: &[u8]) -> Result<()> {
    self.sock(&env, "WSAIoctl")?.ioctl(control, input).or_throw(&env)
  }

  /// `getsockopt(2)` of up to `buflen` raw bytes.
  #[napi]
  pub fn getsockopt_bytes(&self, env: Env, level: i32, name: i32, buflen: u32) -> Result<Buffer> {
    let v = self
      .sock(&env, "getsockopt")?
      .getsockopt_bytes(level, name, buflen as usize)
      .or_throw(&env)?;
    Ok(Buffer::from(v))
  }

  /// `setsockopt(2)` with a C int.
  #[napi]
  pub fn setsockopt_int(&self, env: Env, level: i32, name: i32, value: i32) -> Result<()> {
    self
      .sock(&env, "setsockopt")?
      .setsockopt_int(level, name, value)
      .or_throw(&env)
  }

  /// `setsockopt(2)` with raw bytes.
  #[napi]
  pub fn setsockopt_bytes(&self, env: Env, level: i32, name: i32, value: &[u8]) -> Result<()> {
    self
      .sock(&env, "setsockopt")?
      .setsockopt_bytes(level, name, value)
      .or_throw(&env)
  }

  /// `setsockopt(2)` with NULL and `optlen`.
  #[napi]
  pub fn setsockopt_null(&self, env: Env, level: i32, name: i32, optlen: u32) -> Result<()> {
    self
      .sock(&env, "setsockopt")?
      .setsockopt_null(level, name, optlen)
      .or_throw(&env)
  }

  /// `getsockname(2)`.
  #[napi(ts_return_type = "any")]
  pub fn getsockname(&self, env: Env) -> Result<JsAddress> {
    let sa = self.sock(&env, "getsockname")?.local_addr().or_throw(&env)?;
    Ok(JsAddress::from_sockaddr(&sa))
  }

  /// `getpeername(2)`.
  #[napi(ts_return_type = "any")]
  pub fn getpeername(&self, env: Env) -> Result<JsAddress> {
    let sa = self.sock(&env, "getpeername")?.peer_addr().or_throw(&env)?;
    Ok(JsAddress::from_sockaddr(&sa))
  }

  /// A duplicate (close-on-exec) with the same timeout.
  #[napi]
  pub fn dup(&self, env: Env) -> Result<NativeSocket> {
    Ok(Self::wrap(self.sock(&env, "dup")?.dup().or_throw(&env)?))
  }

  /// Whether child processes inherit the fd.
  #[napi]
  pub fn get_inheritable(&self, env: Env) -> Result<bool> {
    self.sock(&env, "fcntl")?.inheritable().or_throw(&env)
  }

  /// Sets whether child processes inherit the fd.
  #[napi]
  pub fn set_inheritable(&self, env: Env, inheritable: bool) -> Result<()> {
    self.sock(&env, "fcntl")?.set_inheritable(inheritable).or_throw(&env)
  }

  /// Watches the fd on this environment's event loop (once; later calls return the
  /// same slot) and returns the slot the `poll*` functions take.
  #[napi]
  pub fn watch(&mut self, env: Env, referenced: bool) -> Result<u32> {
    if let Some((_, slot)) = &self.watch {
      return Ok(*slot);
    }
    let backend = instance::backend(&env)?;
    let s = match &mut self.inner {
      Some(s) => s,
      None => return Err(throw(&env, CoreError::os(c::EBADF, "uv_poll_init"), None)),
    };
    s.set_watched().or_throw(&env)?;
    let slot = backend
      .watch(s.fileno(), referenced)
      .map_err(|errno| throw(&env, CoreError::os(errno, "uv_poll_init"), None))?;
    self.watch = Some((backend, slot));
    Ok(slot)
  }

  /// One non-blocking `accept4`: `null` when no connection is waiting.
  #[napi(ts_return_type = "[NativeSocket, any] | null")]
  pub fn try_accept(&self, env: Env, timeout_secs: Option<f64>) -> Result<Option<(NativeSocket, JsAddress)>> {
    let t = timeout(&env, timeout_secs)?;
    match self.sock(&env, "accept")?.accept_nonblocking(t) {
      Ok((s, sa)) => Ok(Some((Self::wrap(s), JsAddress::from_sockaddr(&sa)))),
      Err(e) if e.is_would_block() => Ok(None),
      Err(e) => Err(throw(&env, e, None)),
    }
  }

  /// Starts a non-blocking `connect`: 0 connected, -1 still going on in the background
  /// (EINPROGRESS, or WSAEWOULDBLOCK on Windows), else the errno it failed with, never
  /// thrown, so `connectEx` can return it.
  #[napi]
  pub fn try_connect(&self, env: Env, raw: &[u8]) -> Result<i32> {
    let sa = sockaddr(&env, raw)?;
    match &self.inner {
      Some(s) => match s.nonblocking_io().connect_ex(&sa).or_throw_at(&env, &sa)? {
        errno if bsd_sockets_core::io::connect_in_progress(errno) => Ok(-1),
        errno => Ok(errno),
      },
      None => Ok(c::EBADF),
    }
  }

  /// `SO_ERROR`: the result of a finished non-blocking connect (0 = connected).
  #[napi]
  pub fn take_error(&self, env: Env) -> Result<i32> {
    self.sock(&env, "getsockopt")?.take_error().or_throw(&env)
  }

  /// One non-blocking `sendfile(2)` attempt: bytes sent, or -1 when it would block.
  #[napi]
  pub fn try_sendfile(&self, env: Env, fd: i32, offset: f64, count: f64) -> Result<f64> {
    let s = self.sock(&env, "sendfile")?;
    match s.sendfile_once(fd, offset as u64, count as usize) {
      Ok(n) => Ok(n as f64),
      Err(e) if e.is_would_block() => Ok(-1.0),
      Err(e) => Err(throw(&env, e, None)),
    }
  }

  /// Gives the fd up without closing it.
  #[napi]
  pub fn detach(&mut self, env: Env) -> Result<i64> {
    self.unwatch();
    match self.inner.take() {
      Some(s) => Ok(s.detach() as i64),
      None => Err(throw(&env, CoreError::os(c::EBADF, "detach"), None)),
    }
  }

  /// Closes the fd (idempotent: a second call does nothing).
  #[napi]
  pub fn close(&mut self, env: Env) -> Result<()> {
    self.unwatch();
    match self.inner.take() {
      Some(s) => s.close().or_throw(&env),
      None => Ok(()),
    }
  }
}

/// Windows' `fromshare(data)`: the socket another process `share()`d with us.
#[napi]
pub fn fromshare(env: Env, data: &[u8], timeout_secs: Option<f64>) -> Result<NativeSocket> {
  let t = timeout(&env, timeout_secs)?;
  Ok(NativeSocket::wrap(Socket::fromshare(data, t).or_throw(&env)?))
}

/// `socketpair(2)`.
#[napi(ts_return_type = "[NativeSocket, NativeSocket]")]
pub fn socketpair(
  env: Env,
  family: i32,
  socktype: i32,
  protocol: i32,
  timeout_secs: Option<f64>,
) -> Result<(NativeSocket, NativeSocket)> {
  let t = timeout(&env, timeout_secs)?;
  let (a, b) = Socket::pair(family, socktype, protocol, t).or_throw(&env)?;
  Ok((NativeSocket::wrap(a), NativeSocket::wrap(b)))
}

/// `close(2)` on a bare fd number (Python's `socket.close(fd)`).
#[napi]
pub fn close_fd(env: Env, fd: i64) -> Result<()> {
  bsd_sockets_core::socket::close_fd(handle(&env, fd)?).or_throw(&env)
}

/// A close-on-exec duplicate of a bare fd (for `fromfd`).
#[napi]
pub fn dup_fd(env: Env, fd: i64) -> Result<i64> {
  Ok(bsd_sockets_core::socket::dup_fd(handle(&env, fd)?).or_throw(&env)? as i64)
}

/// A socket handle from JavaScript: an fd (`0..=INT_MAX`) on Unix, a `SOCKET` on
/// Windows; anything else is a RangeError, as Node says for fds.
fn handle(env: &Env, fd: i64) -> Result<bsd_sockets_core::RawSock> {
  bsd_sockets_core::raw_from_i64(fd).ok_or_else(|| {
    throw(
      env,
      CoreError::out_of_range(format!(
        "The value of \"fd\" is out of range. It must be a valid socket handle. Received {fd}"
      )),
      None,
    )
  })
}
