//! The per-call hot path (`send`, `sendall`, `sendto`, `recv_into`, `recvfrom_into`)
//! as plain Node-API functions taking the fd and timeout mode from the TS layer.
//!
//! Why not `NativeSocket` methods: a napi-rs class method unwraps `this` and checks its
//! type tag, two private-property lookups that cost ~350 ns per call on our machines
//! against ~0.45 µs for the syscall itself. These functions take plain numbers and
//! typed arrays instead, and are written against the raw Node-API so nothing but
//! argument conversion runs around the syscall.
//!
//! The TS `Socket` passes its own fd, or -1 once closed: that is EBADF at once, and
//! no other fd number is ever touched.

use bsd_sockets_core::c;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use bsd_sockets_core::{addr, Error as CoreError, Io, Timeout};
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

use crate::errors::throw;

/// Converts the TS layer's mode number: negative = blocking, 0 = non-blocking,
/// t > 0 = seconds.
fn timeout_of(mode: f64) -> Timeout {
  if mode < 0.0 {
    Timeout::Blocking
  } else {
    Timeout::from_secs(Some(mode)).unwrap_or(Timeout::Blocking)
  }
}

/// The raw arguments of one call.
struct Args<const N: usize> {
  env: sys::napi_env,
  argv: [sys::napi_value; N],
}

/// A failure while reading arguments or running the call, to be thrown.
enum Fail {
  Core(CoreError),
  /// An exception is already pending.
  Pending,
}

impl From<CoreError> for Fail {
  fn from(e: CoreError) -> Fail {
    Fail::Core(e)
  }
}

type Res<T> = std::result::Result<T, Fail>;

impl<const N: usize> Args<N> {
  unsafe fn new(env: sys::napi_env, info: sys::napi_callback_info) -> Res<Args<N>> {
    let mut argv = [ptr::null_mut(); N];
    let mut argc = N;
    // SAFETY: argv has room for N values.
    let s = unsafe {
      sys::napi_get_cb_info(
        env,
        info,
        &mut argc,
        argv.as_mut_ptr(),
        ptr::null_mut(),
        ptr::null_mut(),
      )
    };
    if s != sys::Status::napi_ok || argc < N {
      return Err(Fail::Core(CoreError::arg_type(format!(
        "expected {N} arguments, got {argc}"
      ))));
    }
    Ok(Args { env, argv })
  }

  /// A number argument, read by `get` (one of Node-API's `napi_get_value_*` getters).
  fn number<T: Default>(&self, name: &str, get: impl FnOnce(&mut T) -> sys::napi_status) -> Res<T> {
    let mut v = T::default();
    if get(&mut v) != sys::Status::napi_ok {
      return Err(Fail::Core(CoreError::arg_type(format!(
        "The \"{name}\" argument must be of type number"
      ))));
    }
    Ok(v)
  }

  fn i32(&self, i: usize, name: &str) -> Res<i32> {
    // SAFETY: a live env, one of the call's values and a valid out-pointer.
    self.number(name, |v| unsafe {
      sys::napi_get_value_int32(self.env, self.argv[i], v)
    })
  }

  #[cfg(windows)]
  fn i64(&self, i: usize, name: &str) -> Res<i64> {
    // SAFETY: as above.
    self.number(name, |v| unsafe {
      sys::napi_get_value_int64(self.env, self.argv[i], v)
    })
  }

  fn f64(&self, i: usize, name: &str) -> Res<f64> {
    // SAFETY: as above.
    self.number(name, |v| unsafe {
      sys::napi_get_value_double(self.env, self.argv[i], v)
    })
  }

  /// The bytes of a Uint8Array (Buffer) argument. The slice lives as long as the JS
  /// value, which the caller holds for the whole call; nothing else runs meanwhile.
  fn bytes<'a>(&self, i: usize, name: &str) -> Res<&'a mut [u8]> {
    let mut ty = 0;
    let mut len = 0usize;
    let mut data = ptr::null_mut::<c_void>();
    let mut ab = ptr::null_mut();
    let mut off = 0usize;
    // SAFETY: as above; all out-pointers are valid.
    let s =
      unsafe { sys::napi_get_typedarray_info(self.env, self.argv[i], &mut ty, &mut len, &mut data, &mut ab, &mut off) };
    if s != sys::Status::napi_ok || ty != sys::TypedarrayType::uint8_array {
      return Err(Fail::Core(CoreError::arg_type(format!(
        "The \"{name}\" argument must be a Uint8Array"
      ))));
    }
    if len == 0 || data.is_null() {
      return Ok(&mut []);
    }
    // SAFETY: the typed array's backing store holds len bytes at data.
    Ok(unsafe { std::slice::from_raw_parts_mut(data.cast::<u8>(), len) })
  }

  /// The fd and mode of the call; `try_once` makes it a single non-blocking attempt.
  fn io(&self, syscall: &'static str, try_once: bool) -> Res<Io<'static>> {
    // An fd is an int32 (the cheaper read, ~60 instructions a call less than int64);
    // a Windows SOCKET is pointer-sized.
    #[cfg(unix)]
    let fd = i64::from(self.i32(0, "fd")?);
    #[cfg(windows)]
    let fd = self.i64(0, "fd")?;
    let mode = if try_once { 0.0 } else { self.f64(1, "mode")? };
    let Some(fd) = bsd_sockets_core::raw_from_i64(fd) else {
      // A closed socket (-1): EBADF, as the kernel would say, without a syscall.
      return Err(Fail::Core(CoreError::os(c::EBADF, syscall)));
    };
    // SAFETY: the TS layer passes the fd of an open socket it owns, or -1 (which the
    // kernel refuses with EBADF); see the module docs.
    Ok(unsafe { Io::borrow_raw(fd, timeout_of(mode)) })
  }
}

/// The result of one attempt: in try mode EAGAIN is not an error but -1 (or null).
fn attempt<const TRY: bool, T>(
  env: sys::napi_env,
  r: bsd_sockets_core::Result<T>,
  ok: impl FnOnce(T) -> Res<sys::napi_value>,
) -> Res<sys::napi_value> {
  match r {
    Ok(v) => ok(v),
    Err(e) if TRY && e.is_would_block() => Ok(number_i(env, -1)),
    Err(e) => Err(Fail::Core(e)),
  }
}

fn number_i(env: sys::napi_env, n: i32) -> sys::napi_value {
  let mut v = ptr::null_mut();
  // SAFETY: a live env.
  unsafe { sys::napi_create_int32(env, n, &mut v) };
  v
}

fn number(env: sys::napi_env, n: usize) -> sys::napi_value {
  let mut v = ptr::null_mut();
  // SAFETY: a live env.
  unsafe { sys::napi_create_double(env, n as f64, &mut v) };
  v
}

/// Runs `body`, turning failures and panics into thrown JS errors.
unsafe fn guard(env: sys::napi_env, body: impl FnOnce() -> Res<sys::napi_value>) -> sys::napi_value {
  let r = catch_unwind(AssertUnwindSafe(body))
    .unwrap_or_else(|_| Err(Fail::Core(CoreError::os(c::EFAULT, "bsd-sockets internal error"))));
  match r {
    Ok(v) => v,
    Err(Fail::Pending) => ptr::null_mut(),
    Err(Fail::Core(e)) => {
      let _ = throw(&Env::from_raw(env), e, None);
      ptr::null_mut()
    }
  }
}

/// `send(fd, mode, data, flags)` → bytes sent.
unsafe extern "C" fn send<const TRY: bool>(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  // SAFETY: called by Node with a live env and callback info.
  unsafe {
    guard(env, || {
      let a = Args::<4>::new(env, info)?;
      let io = a.io("send", TRY)?;
      let data = a.bytes(2, "data")?;
      let flags = a.i32(3, "flags")?;
      attempt::<TRY, _>(env, io.send(data, flags), |n| Ok(number(env, n)))
    })
  }
}

/// `sendall(fd, mode, data, flags)`.
unsafe extern "C" fn sendall(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  // SAFETY: as above.
  unsafe {
    guard(env, || {
      let a = Args::<4>::new(env, info)?;
      let io = a.io("send", false)?;
      let data = a.bytes(2, "data")?;
      let flags = a.i32(3, "flags")?;
      io.sendall(data, flags)?;
      let mut undef = ptr::null_mut();
      sys::napi_get_undefined(env, &mut undef);
      Ok(undef)
    })
  }
}

/// `sendto(fd, mode, data, flags, sockaddr)` → bytes sent.
unsafe extern "C" fn sendto<const TRY: bool>(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  // SAFETY: as above.
  unsafe {
    guard(env, || {
      let a = Args::<5>::new(env, info)?;
      let io = a.io("sendto", TRY)?;
      let data = a.bytes(2, "data")?;
      let flags = a.i32(3, "flags")?;
      let sa = addr::from_raw(a.bytes(4, "address")?)?;
      match io.send_to(data, flags, &sa) {
        Ok(n) => Ok(number(env, n)),
        Err(e) if TRY && e.is_would_block() => Ok(number_i(env, -1)),
        Err(e) => {
          let _ = throw(&Env::from_raw(env), e, Some(&sa));
          Err(Fail::Pending)
        }
      }
    })
  }
}

/// The part of `buf` a receive may fill: `nbytes` bytes at `offset`, checked.
fn window(buf: &mut [u8], offset: i32, nbytes: i32) -> Res<&mut [u8]> {
  let (start, n) = (offset.max(0) as usize, nbytes.max(0) as usize);
  let len = buf.len();
  match start.checked_add(n) {
    Some(end) if offset >= 0 && nbytes >= 0 && end <= len => Ok(&mut buf[start..end]),
    _ => Err(Fail::Core(CoreError::out_of_range(format!(
      "buffer too small for requested bytes: {nbytes} at offset {offset} of {len}"
    )))),
  }
}

/// `recvInto(fd, mode, buf, offset, nbytes, flags)` → bytes received.
unsafe extern "C" fn recv_into<const TRY: bool>(env: sys::napi_env, info: sys::napi_callback_info) -> sys::napi_value {
  // SAFETY: as above.
  unsafe {
    guard(env, || {
      let a = Args::<6>::new(env, info)?;
      let io = a.io("recv", TRY)?;
      let buf = window(a.bytes(2, "buffer")?, a.i32(3, "offset")?, a.i32(4, "nbytes")?)?;
      let flags = a.i32(5, "flags")?;
      attempt::<TRY, _>(env, io.recv_into(buf, flags), |n| Ok(number(env, n)))
    })
  }
}

/// `recvfromInto(fd, mode, buf, offset, nbytes, flags, addr)` → bytes received. The
/// sender's raw sockaddr goes into `addr` as `[len: u16 LE][sockaddr bytes]` (len 0: no
/// address): the TS layer decodes the common families itself and caches host strings,
/// which costs far less than building `[host, port]` here on every datagram.
unsafe extern "C" fn recvfrom_into<const TRY: bool>(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // SAFETY: as above.
  unsafe {
    guard(env, || {
      let a = Args::<7>::new(env, info)?;
      let io = a.io("recvfrom", TRY)?;
      let buf = window(a.bytes(2, "buffer")?, a.i32(3, "offset")?, a.i32(4, "nbytes")?)?;
      let flags = a.i32(5, "flags")?;
      let out = a.bytes(6, "addr")?;
      attempt::<TRY, _>(env, io.recv_from_into(buf, flags), |(n, sa)| {
        let raw = addr::raw_bytes(&sa);
        let len = if sa.len() == 0 { 0 } else { raw.len() };
        if out.len() < len + 2 {
          return Err(Fail::Core(CoreError::out_of_range("address buffer too small")));
        }
        out[..2].copy_from_slice(&(len as u16).to_le_bytes());
        out[2..2 + len].copy_from_slice(&raw[..len]);
        Ok(number(env, n))
      })
    })
  }
}

type Callback = unsafe extern "C" fn(sys::napi_env, sys::napi_callback_info) -> sys::napi_value;

/// The hot-path functions, as an object. Each takes `(fd, mode, …)`: `mode` is the
/// timeout in seconds, negative for blocking. The `try*` forms make one non-blocking
/// attempt (mode ignored) and return -1 when it would block.
#[napi(
  ts_return_type = "{ send(fd: number, mode: number, data: Uint8Array, flags: number): number; sendall(fd: number, mode: number, data: Uint8Array, flags: number): void; sendto(fd: number, mode: number, data: Uint8Array, flags: number, address: Uint8Array): number; recvInto(fd: number, mode: number, buf: Uint8Array, offset: number, nbytes: number, flags: number): number; recvfromInto(fd: number, mode: number, buf: Uint8Array, offset: number, nbytes: number, flags: number, addr: Uint8Array): number; trySend(fd: number, mode: number, data: Uint8Array, flags: number): number; trySendto(fd: number, mode: number, data: Uint8Array, flags: number, address: Uint8Array): number; tryRecvInto(fd: number, mode: number, buf: Uint8Array, offset: number, nbytes: number, flags: number): number; tryRecvfromInto(fd: number, mode: number, buf: Uint8Array, offset: number, nbytes: number, flags: number, addr: Uint8Array): number }"
)]
pub fn fast_calls(env: &Env) -> Result<Object<'_>> {
  let mut obj = Object::new(env)?;
  let table: [(&str, Callback); 9] = [
    ("send", send::<false>),
    ("sendall", sendall),
    ("sendto", sendto::<false>),
    ("recvInto", recv_into::<false>),
    ("recvfromInto", recvfrom_into::<false>),
    ("trySend", send::<true>),
    ("trySendto", sendto::<true>),
    ("tryRecvInto", recv_into::<true>),
    ("tryRecvfromInto", recvfrom_into::<true>),
  ];
  for (name, cb) in table {
    let mut f = ptr::null_mut();
    // SAFETY: a live env; name is valid UTF-8 of the given length.
    check_status!(unsafe {
      sys::napi_create_function(
        env.raw(),
        name.as_ptr().cast(),
        name.len() as isize,
        Some(cb),
        ptr::null_mut(),
        &mut f,
      )
    })?;
    // SAFETY: f is the function just created in this env.
    obj.set_named_property(name, unsafe { Unknown::from_raw_unchecked(env.raw(), f) })?;
  }
  Ok(obj)
}
