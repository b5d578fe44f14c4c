//! Core errors become JS errors here, and only here.
//!
//! OS, resolver and timeout errors are instances of the TS layer's `SocketError`,
//! `GaiError` and `TimeoutError` classes (registered once per environment by
//! `setErrorClasses`), carrying `code`, `errno`, `syscall` and, where the call had
//! one, `address`/`port`. Bad arguments are plain `TypeError`/`RangeError`s with
//! Node's `ERR_*` codes.

use bsd_sockets_core::c;
use std::ffi::CString;
use std::ptr;

use bsd_sockets_core::addr::{self, Address};
use bsd_sockets_core::{constants, ArgKind, Error as CoreError};
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use socket2::SockAddr;

use crate::instance::{self, ErrorClasses};

/// Registers the error classes the native side instantiates. Called once by the TS
/// layer when it loads.
#[napi(ts_args_type = "socketError: Function, gaiError: Function, timeoutError: Function")]
pub fn set_error_classes(env: Env, socket_error: Function, gai_error: Function, timeout_error: Function) -> Result<()> {
  let mk = |f: &Function| -> Result<sys::napi_ref> {
    let mut r = ptr::null_mut();
    check_status!(unsafe { sys::napi_create_reference(env.raw(), f.raw(), 1, &mut r) })?;
    Ok(r)
  };
  let classes = ErrorClasses {
    socket_error: mk(&socket_error)?,
    gai_error: mk(&gai_error)?,
    timeout_error: mk(&timeout_error)?,
  };
  instance::get(&env)?.errors = Some(classes);
  Ok(())
}

/// Converts a core result, throwing the JS error on failure.
pub trait OrThrow<T> {
  /// Throws `e` as the matching JS error.
  fn or_throw(self, env: &Env) -> Result<T>;
  /// Same, naming the address the call was about (`connect`, `bind`, `sendto`…).
  fn or_throw_at(self, env: &Env, addr: &SockAddr) -> Result<T>;
}

impl<T> OrThrow<T> for bsd_sockets_core::Result<T> {
  #[inline]
  fn or_throw(self, env: &Env) -> Result<T> {
    self.map_err(|e| throw(env, e, None))
  }

  #[inline]
  fn or_throw_at(self, env: &Env, addr: &SockAddr) -> Result<T> {
    self.map_err(|e| throw(env, e, Some(addr)))
  }
}

fn js_string(env: sys::napi_env, s: &str) -> sys::napi_value {
  let mut v = ptr::null_mut();
  unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut v) };
  v
}

fn js_number(env: sys::napi_env, n: f64) -> sys::napi_value {
  let mut v = ptr::null_mut();
  unsafe { sys::napi_create_double(env, n, &mut v) };
  v
}

fn set(env: sys::napi_env, obj: sys::napi_value, key: &str, value: sys::napi_value) {
  if let Ok(k) = CString::new(key) {
    unsafe { sys::napi_set_named_property(env, obj, k.as_ptr(), value) };
  }
}

/// Builds an instance of a registered class, or a plain Error before registration.
fn instantiate(env: &Env, which: fn(&ErrorClasses) -> sys::napi_ref, message: &str) -> sys::napi_value {
  let raw = env.raw();
  let msg = js_string(raw, message);
  let mut out = ptr::null_mut();
  if let Some(classes) = env
    .get_instance_data::<instance::Instance>()
    .ok()
    .flatten()
    .and_then(|i| i.errors.as_ref())
  {
    let mut ctor = ptr::null_mut();
    if unsafe { sys::napi_get_reference_value(raw, which(classes), &mut ctor) } == sys::Status::napi_ok
      && !ctor.is_null()
      && unsafe { sys::napi_new_instance(raw, ctor, 1, &msg, &mut out) } == sys::Status::napi_ok
    {
      return out;
    }
    // The constructor threw (it should not): clear that and fall back.
    let mut pending = false;
    unsafe { sys::napi_is_exception_pending(raw, &mut pending) };
    if pending {
      let mut e = ptr::null_mut();
      unsafe { sys::napi_get_and_clear_last_exception(raw, &mut e) };
    }
  }
  unsafe { sys::napi_create_error(raw, ptr::null_mut(), msg, &mut out) };
  out
}

/// Host/path and port for an error message and its `address`/`port` properties.
fn describe(sa: &SockAddr) -> Option<(String, Option<u16>)> {
  match addr::decode(sa)? {
    Address::Inet(a) => Some((a.ip().to_string(), Some(a.port()))),
    Address::Inet6(a) => Some((addr::ip_text(std::net::IpAddr::V6(*a.ip())), Some(a.port()))),
    Address::Unix(p) => Some((String::from_utf8_lossy(&p).into_owned(), None)),
    _ => None,
  }
}

/// Throws `e` in `env` and returns the napi error that tells napi-rs it is pending.
pub fn throw(env: &Env, e: CoreError, at: Option<&SockAddr>) -> Error {
  let value = error_value(env, e, at);
  // SAFETY: a live env on its own thread.
  unsafe { sys::napi_throw(env.raw(), value) };
  Error::from_status(Status::PendingException)
}

/// The JS error for `e`, to throw or to reject a promise with.
pub fn error_value(env: &Env, e: CoreError, at: Option<&SockAddr>) -> sys::napi_value {
  let raw = env.raw();
  match e {
    CoreError::Arg { kind, code, message } => {
      let (c, m) = (js_string(raw, code), js_string(raw, &message));
      let mut out = ptr::null_mut();
      match kind {
        ArgKind::Type => unsafe { sys::napi_create_type_error(raw, c, m, &mut out) },
        ArgKind::Range => unsafe { sys::napi_create_range_error(raw, c, m, &mut out) },
      };
      out
    }
    CoreError::Os { errno, syscall } => {
      let code = constants::errno_name(errno)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("E{errno}"));
      let place = at.and_then(describe);
      let message = match &place {
        Some((host, Some(port))) => format!("{syscall} {code} {host}:{port}"),
        Some((path, None)) => format!("{syscall} {code} {path}"),
        None => format!("{syscall} {code}"),
      };
      let obj = instantiate(env, |c| c.socket_error, &message);
      set(raw, obj, "code", js_string(raw, &code));
      set(raw, obj, "errno", js_number(raw, errno as f64));
      set(raw, obj, "syscall", js_string(raw, syscall));
      set(
        raw,
        obj,
        "strerror",
        js_string(raw, &bsd_sockets_core::error::strerror(errno)),
      );
      if let Some((host, port)) = place {
        set(raw, obj, "address", js_string(raw, &host));
        if let Some(p) = port {
          set(raw, obj, "port", js_number(raw, p as f64));
        }
      }
      obj
    }
    CoreError::Timeout { syscall } => {
      let obj = instantiate(env, |c| c.timeout_error, "timed out");
      set(raw, obj, "code", js_string(raw, "ETIMEDOUT"));
      set(raw, obj, "errno", js_number(raw, c::ETIMEDOUT as f64));
      set(raw, obj, "syscall", js_string(raw, syscall));
      obj
    }
    CoreError::Gai { code, syscall } => {
      let name = constants::gai_name(code)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("EAI_{code}"));
      let obj = instantiate(env, |c| c.gai_error, &bsd_sockets_core::error::gai_strerror(code));
      set(raw, obj, "code", js_string(raw, &name));
      set(raw, obj, "errno", js_number(raw, code as f64));
      set(raw, obj, "syscall", js_string(raw, syscall));
      obj
    }
    CoreError::NotFound { message, syscall } => {
      let obj = instantiate(env, |c| c.socket_error, &message);
      set(raw, obj, "code", js_string(raw, "ENOTFOUND"));
      set(raw, obj, "syscall", js_string(raw, syscall));
      obj
    }
  }
}

/// A napi error that rejects a promise with the JS error for `e` (for async tasks).
pub fn rejection(env: &Env, e: CoreError) -> Error {
  let value = error_value(env, e, None);
  // SAFETY: a value just created in this env.
  Error::from(unsafe { Unknown::from_raw_unchecked(env.raw(), value) })
}
