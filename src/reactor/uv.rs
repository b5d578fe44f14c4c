//! The libuv backend: one `uv_poll_t` per watched socket on the environment's own loop.
//! This is the only file that names libuv. Node exports libuv from its binary, so the
//! handful of functions below are declared, not linked from a private copy.
//!
//! Invariants:
//! * a watcher's poll handle is ref'd exactly while a waiter is queued (and the socket
//!   is `ref()`ed), so an idle socket never keeps the process alive; read interest may
//!   stay registered, unref'd, between waits (see `sync`);
//! * [`Reactor::unwatch`] stops and closes the handle *before* the caller closes the
//!   fd (libuv: never close an fd that is being polled);
//! * every waiter is settled exactly once: ready (1), cancelled (0) or closed (2);
//! * settlement from a libuv callback happens inside a handle scope and a callback
//!   scope, so microtasks run (nodejs/node#15604).

use bsd_sockets_core::{c, RawSock};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ffi::{c_int, c_void};
use std::ptr;
use std::rc::Rc;

use napi::sys;

use super::{Interest, Reactor};

use super::libuv::*;

/// How a wait ended; the promise resolves to this number.
#[derive(Clone, Copy)]
#[repr(i32)]
pub enum Outcome {
  /// The JS side cancelled it (abort or timeout).
  Cancelled = 0,
  /// The socket became ready: try the syscall again.
  Ready = 1,
  /// The socket was closed meanwhile.
  Closed = 2,
}

struct Waiter {
  id: u32,
  deferred: sys::napi_deferred,
}

struct Watcher {
  handle: *mut UvHandle,
  readers: VecDeque<Waiter>,
  writers: VecDeque<Waiter>,
  mask: c_int,
  /// What `ref()`/`unref()` asked for.
  referenced: bool,
  /// Whether the handle is uv_ref'd now: only while someone waits (and `referenced`).
  held: bool,
}

/// What a poll handle's data points to (freed in the close callback).
struct HandleData {
  backend: Rc<UvReactor>,
  slot: u32,
}

/// The libuv reactor of one environment.
pub struct UvReactor {
  env: sys::napi_env,
  loop_: *mut sys::uv_loop_s,
  async_ctx: sys::napi_async_context,
  /// The resource object of every callback scope we open (one for the environment:
  /// creating one per event cost measurable time).
  resource: sys::napi_ref,
  watchers: RefCell<Vec<Option<Watcher>>>,
  free: RefCell<Vec<u32>>,
  /// Handles closing but not yet freed; the async cleanup hook waits for them.
  closing: RefCell<usize>,
  teardown: RefCell<Option<sys::napi_async_cleanup_hook_handle>>,
  /// Set when the environment is going away: no new watchers, no settlement.
  dead: RefCell<bool>,
  /// Itself, for the handles' data (which must keep the reactor alive until closed).
  this: std::rc::Weak<UvReactor>,
}

impl UvReactor {
  /// The backend of `env`'s loop.
  pub fn new(env: sys::napi_env) -> Result<Rc<UvReactor>, i32> {
    let mut loop_ = ptr::null_mut();
    // SAFETY: a live env; the out-pointer is valid.
    if !available()
      || unsafe { sys::napi_get_uv_event_loop(env, &mut loop_) } != sys::Status::napi_ok
      || loop_.is_null()
    {
      return Err(c::ENOSYS);
    }
    let mut name = ptr::null_mut();
    let mut ctx = ptr::null_mut();
    let mut object = ptr::null_mut();
    let mut resource = ptr::null_mut();
    let label = "bsd-sockets";
    // SAFETY: a live env; the string is valid for its length.
    unsafe {
      sys::napi_create_string_utf8(env, label.as_ptr().cast(), label.len() as isize, &mut name);
      sys::napi_create_object(env, &mut object);
      sys::napi_create_reference(env, object, 1, &mut resource);
      sys::napi_async_init(env, object, name, &mut ctx);
    }
    Ok(Rc::new_cyclic(|this| UvReactor {
      this: this.clone(),
      env,
      loop_,
      async_ctx: ctx,
      resource,
      watchers: RefCell::new(Vec::new()),
      free: RefCell::new(Vec::new()),
      closing: RefCell::new(0),
      teardown: RefCell::new(None),
      dead: RefCell::new(false),
    }))
  }

  /// Registers the async cleanup hook that closes every handle when the environment
  /// goes away (a worker exits, the process ends), so Node never finds our handles
  /// open when it closes the loop.
  pub fn install_teardown(self: &Rc<UvReactor>) {
    let arg = Rc::into_raw(self.clone()) as *mut c_void;
    let mut handle = ptr::null_mut();
    // SAFETY: a live env; `arg` keeps one strong count until the hook runs.
    let ok = unsafe { sys::napi_add_async_cleanup_hook(self.env, Some(on_teardown), arg, &mut handle) };
    if ok == sys::Status::napi_ok {
      *self.teardown.borrow_mut() = Some(handle);
    } else {
      // SAFETY: give back the count taken above.
      drop(unsafe { Rc::from_raw(arg as *const UvReactor) });
    }
  }

  /// Starts watching `fd` (idle until something waits). Returns a slot number, or an
  /// errno (libuv's error is negative; we return it positive).
  fn watch_fd(&self, fd: RawSock, referenced: bool) -> Result<u32, i32> {
    let Some(me) = self.this.upgrade() else {
      return Err(c::EBADF);
    };
    if *self.dead.borrow() {
      return Err(c::EBADF);
    }
    // SAFETY: plain size query.
    let size = unsafe { uv_handle_size(UV_POLL) };
    // One allocation of `size` bytes, aligned for any libuv struct (u64 words).
    let words = size.div_ceil(8);
    let mem: Box<[u64]> = vec![0u64; words].into_boxed_slice();
    let handle = Box::into_raw(mem) as *mut u64 as *mut UvHandle;
    // SAFETY: the memory is large enough for a uv_poll_t; the loop is the env's.
    let r = unsafe { poll_init_socket(self.loop_, handle, fd) };
    if r != 0 {
      // SAFETY: never initialised, so libuv holds no pointer to it.
      unsafe { free_handle(handle, words) };
      return Err(-r);
    }
    let slot = match self.free.borrow_mut().pop() {
      Some(s) => s,
      None => {
        let mut w = self.watchers.borrow_mut();
        w.push(None);
        (w.len() - 1) as u32
      }
    };
    let data = Box::new(HandleData { backend: me, slot });
    // SAFETY: handle is initialised; data lives until the close callback.
    unsafe {
      uv_handle_set_data(handle, Box::into_raw(data).cast());
      // Nobody waits yet: the handle must not keep the loop alive.
      uv_unref(handle);
    }
    self.watchers.borrow_mut()[slot as usize] = Some(Watcher {
      handle,
      readers: VecDeque::new(),
      writers: VecDeque::new(),
      mask: 0,
      referenced,
      held: false,
    });
    Ok(slot)
  }

  /// Queues a waiter; returns the promise it will settle, or an errno.
  fn wait_for(&self, slot: u32, interest: Interest, id: u32) -> Result<sys::napi_value, i32> {
    if *self.dead.borrow() {
      return Err(c::EBADF);
    }
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: a live env on its own thread.
    if unsafe { sys::napi_create_promise(self.env, &mut deferred, &mut promise) } != sys::Status::napi_ok {
      return Err(c::ENOMEM);
    }
    {
      let mut watchers = self.watchers.borrow_mut();
      let Some(Some(w)) = watchers.get_mut(slot as usize) else {
        drop(watchers);
        self.settle(deferred, Outcome::Closed);
        return Ok(promise);
      };
      let waiter = Waiter { id, deferred };
      match interest {
        Interest::Read => w.readers.push_back(waiter),
        Interest::Write => w.writers.push_back(waiter),
      }
    }
    if let Err(e) = self.sync(slot, true) {
      // The poll could not start: settle as ready so the retry reports the real error.
      self.settle_all(slot, Outcome::Ready);
      return Err(e);
    }
    Ok(promise)
  }

  /// Settles waiter `id` as cancelled. Returns whether it was still queued.
  fn cancel_wait(&self, slot: u32, id: u32) -> bool {
    let found = {
      let mut watchers = self.watchers.borrow_mut();
      let Some(Some(w)) = watchers.get_mut(slot as usize) else {
        return false;
      };
      let take = |q: &mut VecDeque<Waiter>| q.iter().position(|x| x.id == id).and_then(|i| q.remove(i));
      take(&mut w.readers).or_else(|| take(&mut w.writers))
    };
    match found {
      Some(waiter) => {
        self.settle(waiter.deferred, Outcome::Cancelled);
        let _ = self.sync(slot, true);
        true
      }
      None => false,
    }
  }

  /// `ref()`/`unref()`: whether waiting on this socket keeps the loop alive.
  fn set_referenced(&self, slot: u32, referenced: bool) {
    if let Some(Some(w)) = self.watchers.borrow_mut().get_mut(slot as usize) {
      w.referenced = referenced;
    }
    let _ = self.sync(slot, true);
  }

  /// Stops watching: every waiter settles as closed, the poll stops (its fd leaves
  /// epoll now) and the handle closes. Only then may the caller close the fd.
  fn unwatch_slot(&self, slot: u32) {
    self.settle_all(slot, Outcome::Closed);
    let w = self.watchers.borrow_mut().get_mut(slot as usize).and_then(Option::take);
    if let Some(w) = w {
      self.free.borrow_mut().push(slot);
      self.close_handle(w.handle);
    }
  }

  fn close_handle(&self, handle: *mut UvHandle) {
    *self.closing.borrow_mut() += 1;
    // SAFETY: an initialised handle, closed once; on_close frees it.
    unsafe {
      uv_poll_stop(handle);
      uv_close(handle, Some(on_close));
    }
  }

  fn settle_all(&self, slot: u32, outcome: Outcome) {
    let waiters: Vec<Waiter> = {
      let mut watchers = self.watchers.borrow_mut();
      let Some(Some(w)) = watchers.get_mut(slot as usize) else {
        return;
      };
      w.readers.drain(..).chain(w.writers.drain(..)).collect()
    };
    for waiter in waiters {
      self.settle(waiter.deferred, outcome);
    }
    let _ = self.sync(slot, false);
  }

  fn settle(&self, deferred: sys::napi_deferred, outcome: Outcome) {
    let mut v = ptr::null_mut();
    // SAFETY: a live env; each deferred is resolved exactly once (it left its queue).
    unsafe {
      sys::napi_create_int32(self.env, outcome as i32, &mut v);
      sys::napi_resolve_deferred(self.env, deferred, v);
    }
  }

  /// Makes the poll and its ref match the queues. Read interest stays registered
  /// ("parked", unref'd) after the last reader leaves when `keep_read` says so: the
  /// next read wait then costs no epoll_ctl at all, which is what a request/response
  /// loop does all day. A wakeup that finds no reader un-parks it (no busy loop).
  /// Write interest is never parked: a socket is nearly always writable.
  fn sync(&self, slot: u32, keep_read: bool) -> Result<(), i32> {
    let mut watchers = self.watchers.borrow_mut();
    let Some(Some(w)) = watchers.get_mut(slot as usize) else {
      return Ok(());
    };
    let mut mask = 0;
    if !w.readers.is_empty() || (keep_read && w.mask & UV_READABLE != 0) {
      mask |= UV_READABLE;
    }
    if !w.writers.is_empty() {
      mask |= UV_WRITABLE;
    }
    if mask != w.mask {
      // SAFETY: a live, initialised handle.
      let r = unsafe {
        if mask == 0 {
          uv_poll_stop(w.handle)
        } else {
          uv_poll_start(w.handle, mask, on_poll)
        }
      };
      if r != 0 {
        return Err(-r);
      }
      w.mask = mask;
    }
    let hold = w.referenced && !(w.readers.is_empty() && w.writers.is_empty());
    if hold != w.held {
      // SAFETY: as above.
      unsafe {
        if hold {
          uv_ref(w.handle)
        } else {
          uv_unref(w.handle)
        }
      }
      w.held = hold;
    }
    Ok(())
  }

  /// The poll callback's work: settle the ready directions' waiters.
  fn ready(&self, slot: u32, status: c_int, events: c_int) {
    let (waiters, spurious_read) = {
      let mut watchers = self.watchers.borrow_mut();
      let Some(Some(w)) = watchers.get_mut(slot as usize) else {
        return;
      };
      // An error (status < 0) wakes everyone: their retry reports it.
      let read = status < 0 || events & (UV_READABLE | 4/* UV_DISCONNECT */) != 0;
      let write = status < 0 || events & UV_WRITABLE != 0;
      let spurious_read = read && w.readers.is_empty();
      let mut out = Vec::new();
      if read {
        out.extend(w.readers.drain(..));
      }
      if write {
        out.extend(w.writers.drain(..));
      }
      (out, spurious_read)
    };
    if waiters.is_empty() {
      let _ = self.sync(slot, !spurious_read);
      return;
    }
    // SAFETY: we are on the loop thread of a live env, called by libuv.
    unsafe {
      let mut hscope = ptr::null_mut();
      sys::napi_open_handle_scope(self.env, &mut hscope);
      let mut resource = ptr::null_mut();
      sys::napi_get_reference_value(self.env, self.resource, &mut resource);
      let mut cscope = ptr::null_mut();
      let scoped =
        sys::napi_open_callback_scope(self.env, resource, self.async_ctx, &mut cscope) == sys::Status::napi_ok;
      for waiter in waiters {
        self.settle(waiter.deferred, Outcome::Ready);
      }
      let _ = self.sync(slot, !spurious_read);
      if scoped {
        // Closing the callback scope runs the microtasks our settlements queued.
        sys::napi_close_callback_scope(self.env, cscope);
      }
      sys::napi_close_handle_scope(self.env, hscope);
    }
  }

  fn teardown_now(&self) {
    *self.dead.borrow_mut() = true;
    let handles: Vec<*mut UvHandle> = self
      .watchers
      .borrow_mut()
      .iter_mut()
      .filter_map(|w| w.take())
      .map(|w| w.handle)
      .collect();
    for h in handles {
      self.close_handle(h);
    }
    self.maybe_finish_teardown();
  }

  fn maybe_finish_teardown(&self) {
    if *self.dead.borrow() && *self.closing.borrow() == 0 {
      if let Some(h) = self.teardown.borrow_mut().take() {
        // SAFETY: the hook handle we were given, removed once.
        unsafe { sys::napi_remove_async_cleanup_hook(h) };
      }
    }
  }
}

impl Reactor for UvReactor {
  fn watch(&self, fd: RawSock, referenced: bool) -> Result<u32, i32> {
    self.watch_fd(fd, referenced)
  }
  fn wait(&self, slot: u32, interest: Interest, id: u32) -> Result<sys::napi_value, i32> {
    self.wait_for(slot, interest, id)
  }
  fn cancel(&self, slot: u32, id: u32) -> bool {
    self.cancel_wait(slot, id)
  }
  fn set_ref(&self, slot: u32, referenced: bool) {
    self.set_referenced(slot, referenced)
  }
  fn unwatch(&self, slot: u32) {
    self.unwatch_slot(slot)
  }
}

unsafe fn free_handle(handle: *mut UvHandle, words: usize) {
  // SAFETY: handle came from Box<[u64]> of `words` words in watch().
  drop(unsafe { Box::from_raw(ptr::slice_from_raw_parts_mut(handle as *mut u64, words)) });
}

unsafe extern "C" fn on_poll(handle: *mut UvHandle, status: c_int, events: c_int) {
  // SAFETY: data was set in watch() and lives until on_close.
  let data = unsafe { uv_handle_get_data(handle) } as *const HandleData;
  if data.is_null() {
    return;
  }
  // A panic must not unwind into libuv.
  let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
    // SAFETY: see above.
    let data = unsafe { &*data };
    data.backend.ready(data.slot, status, events);
  }));
}

unsafe extern "C" fn on_close(handle: *mut UvHandle) {
  // SAFETY: data was set in watch(); libuv is done with the handle.
  let data = unsafe { uv_handle_get_data(handle) } as *mut HandleData;
  let backend = if data.is_null() {
    None
  } else {
    // SAFETY: the Box leaked in watch(), reclaimed once.
    Some(unsafe { Box::from_raw(data) }.backend)
  };
  // SAFETY: libuv no longer uses the memory after the close callback.
  unsafe { free_handle(handle, uv_handle_size(UV_POLL).div_ceil(8)) };
  if let Some(b) = backend {
    *b.closing.borrow_mut() -= 1;
    b.maybe_finish_teardown();
  }
}

unsafe extern "C" fn on_teardown(_handle: sys::napi_async_cleanup_hook_handle, arg: *mut c_void) {
  // SAFETY: the count taken in install_teardown, given back here.
  let backend = unsafe { Rc::from_raw(arg as *const UvReactor) };
  let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| backend.teardown_now()));
}
