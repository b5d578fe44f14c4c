//! The event-loop interface: watch a socket fd, wait for it to be readable or
//! writable, cancel a wait, ref/unref. Waits only report readiness; the socket code
//! (in the TS layer) retries its non-blocking syscall after each one, so a cancelled
//! or timed-out wait never consumes data.
//!
//! One backend today, libuv ([`uv`]), because Node's own loop is where a promise can be
//! settled with no thread hop. A runtime without a libuv loop (Bun, Deno) would get a
//! second backend with the same four operations; nothing else changes.

mod libuv;
mod uv;

use std::rc::Rc;

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

/// Which way a wait waits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Interest {
  /// Readable (data, a connection, EOF or an error).
  Read,
  /// Writable (room, a finished connect, or an error).
  Write,
}

/// What an event-loop backend provides. Errors are errno values.
pub trait Reactor {
  /// Starts watching `fd`; returns the slot the other calls take.
  fn watch(&self, fd: bsd_sockets_core::RawSock, referenced: bool) -> std::result::Result<u32, i32>;
  /// A promise that resolves to 1 when the socket is ready for `interest`, 0 if
  /// [`Reactor::cancel`] cancels wait `id` first, 2 if the socket is unwatched first.
  fn wait(&self, slot: u32, interest: Interest, id: u32) -> std::result::Result<sys::napi_value, i32>;
  /// Cancels wait `id`; false if it had already settled.
  fn cancel(&self, slot: u32, id: u32) -> bool;
  /// Whether waits on this socket keep the process alive.
  fn set_ref(&self, slot: u32, referenced: bool);
  /// Stops watching; every wait settles as closed. Called before the fd is closed.
  fn unwatch(&self, slot: u32);
}

/// The reactor of an environment: libuv's loop in Node.
pub type Backend = dyn Reactor;

/// Creates the reactor of `env`.
pub fn new_backend(env: sys::napi_env) -> std::result::Result<Rc<Backend>, i32> {
  let b = uv::UvReactor::new(env)?;
  b.install_teardown();
  Ok(b)
}

use crate::instance;

/// Waits until the watched socket in `slot` is writable (`write`) or readable. The
/// promise resolves to 1 (ready: retry the syscall), 0 (cancelled by `pollCancel`) or
/// 2 (the socket was closed). `id` names the wait for `pollCancel`.
#[napi(ts_return_type = "Promise<number>")]
pub fn poll_wait(env: Env, slot: u32, write: bool, id: u32) -> Result<Unknown<'static>> {
  let backend = instance::backend(&env)?;
  let interest = if write { Interest::Write } else { Interest::Read };
  match backend.wait(slot, interest, id) {
    // SAFETY: a promise value just created in this env.
    Ok(promise) => Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), promise) }),
    Err(errno) => Err(crate::errors::throw(
      &env,
      bsd_sockets_core::Error::os(errno, "uv_poll_start"),
      None,
    )),
  }
}

/// Cancels wait `id` (its promise resolves to 0). False if it had already settled.
#[napi]
pub fn poll_cancel(env: Env, slot: u32, id: u32) -> Result<bool> {
  Ok(instance::backend(&env)?.cancel(slot, id))
}

/// Whether waits on the socket in `slot` keep the process alive.
#[napi]
pub fn poll_ref(env: Env, slot: u32, referenced: bool) -> Result<()> {
  instance::backend(&env)?.set_ref(slot, referenced);
  Ok(())
}
