//! The libuv functions the reactor uses. Node exports libuv from its own binary: on
//! Unix they are declared and resolved by the dynamic loader when the addon loads; on
//! Windows, where napi-rs links no import library, they are looked up in the host
//! executable at run time (as napi-rs does for Node-API), and [`available`] says
//! whether that worked.

use std::ffi::{c_int, c_void};

use bsd_sockets_core::RawSock;
use napi::sys::uv_loop_s;

/// An opaque `uv_handle_t`.
#[repr(C)]
pub struct UvHandle {
  _private: [u8; 0],
}

pub type PollCb = unsafe extern "C" fn(handle: *mut UvHandle, status: c_int, events: c_int);
pub type CloseCb = unsafe extern "C" fn(handle: *mut UvHandle);

// From uv.h; stable across libuv 1.x.
pub const UV_POLL: c_int = 8;
pub const UV_READABLE: c_int = 1;
pub const UV_WRITABLE: c_int = 2;

#[cfg(unix)]
mod imp {
  use super::*;

  extern "C" {
    pub fn uv_handle_size(kind: c_int) -> usize;
    fn uv_poll_init(loop_: *mut uv_loop_s, handle: *mut UvHandle, fd: c_int) -> c_int;
    pub fn uv_poll_start(handle: *mut UvHandle, events: c_int, cb: PollCb) -> c_int;
    pub fn uv_poll_stop(handle: *mut UvHandle) -> c_int;
    pub fn uv_close(handle: *mut UvHandle, cb: Option<CloseCb>);
    pub fn uv_ref(handle: *mut UvHandle);
    pub fn uv_unref(handle: *mut UvHandle);
    pub fn uv_handle_set_data(handle: *mut UvHandle, data: *mut c_void);
    pub fn uv_handle_get_data(handle: *const UvHandle) -> *mut c_void;
  }

  /// `uv_poll_init` on a socket fd.
  pub unsafe fn poll_init_socket(loop_: *mut uv_loop_s, handle: *mut UvHandle, fd: RawSock) -> c_int {
    // SAFETY: forwarded to the caller.
    unsafe { uv_poll_init(loop_, handle, fd) }
  }

  pub fn available() -> bool {
    true
  }
}

#[cfg(windows)]
mod imp {
  use std::sync::OnceLock;

  use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};

  use super::*;

  type HandleSize = unsafe extern "C" fn(c_int) -> usize;
  type PollInitSocket = unsafe extern "C" fn(*mut uv_loop_s, *mut UvHandle, usize) -> c_int;
  type PollStart = unsafe extern "C" fn(*mut UvHandle, c_int, PollCb) -> c_int;
  type HandleOp = unsafe extern "C" fn(*mut UvHandle) -> c_int;
  type Close = unsafe extern "C" fn(*mut UvHandle, Option<CloseCb>);
  type HandleFn = unsafe extern "C" fn(*mut UvHandle);
  type SetData = unsafe extern "C" fn(*mut UvHandle, *mut c_void);
  type GetData = unsafe extern "C" fn(*const UvHandle) -> *mut c_void;
  /// What GetProcAddress returns.
  type Farproc = unsafe extern "system" fn() -> isize;

  struct Api {
    handle_size: HandleSize,
    poll_init_socket: PollInitSocket,
    poll_start: PollStart,
    poll_stop: HandleOp,
    close: Close,
    ref_: HandleFn,
    unref: HandleFn,
    set_data: SetData,
    get_data: GetData,
  }

  fn api() -> Option<&'static Api> {
    static API: OnceLock<Option<Api>> = OnceLock::new();
    API.get_or_init(load).as_ref()
  }

  /// The module that exports libuv: the executable (node.exe, Electron), else Node as a
  /// DLL (libnode.dll, node.dll: NW.js and libnode embedders), the places napi-sys looks
  /// for Node-API.
  fn libuv_module() -> Option<windows_sys::Win32::Foundation::HMODULE> {
    let dlls = ["libnode.dll", "node.dll"].map(|n| n.encode_utf16().chain([0]).collect::<Vec<u16>>());
    let names = std::iter::once(None).chain(dlls.iter().map(Some));
    for name in names {
      // SAFETY: NULL names the executable; the others are NUL-terminated UTF-16. No
      // reference is taken: a module already loaded stays loaded while Node runs.
      let module = unsafe { GetModuleHandleW(name.map_or(std::ptr::null(), |n| n.as_ptr())) };
      // SAFETY: a valid module handle and a NUL-terminated name.
      if !module.is_null() && unsafe { GetProcAddress(module, c"uv_poll_init_socket".as_ptr().cast()) }.is_some() {
        return Some(module);
      }
    }
    None
  }

  fn load() -> Option<Api> {
    let exe = libuv_module()?;
    macro_rules! sym {
      ($name:literal, $ty:ty) => {{
        // SAFETY: a NUL-terminated name; the address, if any, is the libuv function
        // of that name, whose C signature is the field's type (x64 has one calling
        // convention, so "C" and "system" agree).
        unsafe { std::mem::transmute::<Farproc, $ty>(GetProcAddress(exe, concat!($name, "\0").as_ptr())?) }
      }};
    }
    Some(Api {
      handle_size: sym!("uv_handle_size", HandleSize),
      poll_init_socket: sym!("uv_poll_init_socket", PollInitSocket),
      poll_start: sym!("uv_poll_start", PollStart),
      poll_stop: sym!("uv_poll_stop", HandleOp),
      close: sym!("uv_close", Close),
      ref_: sym!("uv_ref", HandleFn),
      unref: sym!("uv_unref", HandleFn),
      set_data: sym!("uv_handle_set_data", SetData),
      get_data: sym!("uv_handle_get_data", GetData),
    })
  }

  /// Whether the host exports libuv (checked once, before the first watch).
  pub fn available() -> bool {
    api().is_some()
  }

  // Each wrapper is only reached after `available()` said yes (the reactor is not
  // created otherwise); the fallbacks keep a violation harmless rather than UB.
  const UV_ENOSYS: c_int = -4054;

  pub unsafe fn uv_handle_size(kind: c_int) -> usize {
    // SAFETY: forwarded.
    api().map_or(0, |a| unsafe { (a.handle_size)(kind) })
  }
  pub unsafe fn poll_init_socket(loop_: *mut uv_loop_s, handle: *mut UvHandle, fd: RawSock) -> c_int {
    // SAFETY: forwarded to the caller.
    api().map_or(UV_ENOSYS, |a| unsafe {
      (a.poll_init_socket)(loop_, handle, fd as usize)
    })
  }
  pub unsafe fn uv_poll_start(handle: *mut UvHandle, events: c_int, cb: PollCb) -> c_int {
    // SAFETY: forwarded.
    api().map_or(UV_ENOSYS, |a| unsafe { (a.poll_start)(handle, events, cb) })
  }
  pub unsafe fn uv_poll_stop(handle: *mut UvHandle) -> c_int {
    // SAFETY: forwarded.
    api().map_or(UV_ENOSYS, |a| unsafe { (a.poll_stop)(handle) })
  }
  pub unsafe fn uv_close(handle: *mut UvHandle, cb: Option<CloseCb>) {
    // SAFETY: forwarded.
    if let Some(a) = api() {
      unsafe { (a.close)(handle, cb) }
    }
  }
  pub unsafe fn uv_ref(handle: *mut UvHandle) {
    // SAFETY: forwarded.
    if let Some(a) = api() {
      unsafe { (a.ref_)(handle) }
    }
  }
  pub unsafe fn uv_unref(handle: *mut UvHandle) {
    // SAFETY: forwarded.
    if let Some(a) = api() {
      unsafe { (a.unref)(handle) }
    }
  }
  pub unsafe fn uv_handle_set_data(handle: *mut UvHandle, data: *mut c_void) {
    // SAFETY: forwarded.
    if let Some(a) = api() {
      unsafe { (a.set_data)(handle, data) }
    }
  }
  pub unsafe fn uv_handle_get_data(handle: *const UvHandle) -> *mut c_void {
    // SAFETY: forwarded.
    api().map_or(std::ptr::null_mut(), |a| unsafe { (a.get_data)(handle) })
  }
}

pub use imp::*;
