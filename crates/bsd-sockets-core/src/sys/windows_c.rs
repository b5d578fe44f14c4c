//! The C names the portable modules use, for Winsock: the same spellings and struct
//! layouts as POSIX (`sockaddr_in`, `addrinfo`, `getaddrinfo`…), so that `addr`,
//! `resolve` and `inet` compile unchanged.
//!
//! Structs are declared here rather than taken from `windows-sys`, whose field names and
//! union wrappers differ from POSIX; each one is checked against the `windows-sys`
//! definition at compile time, so a layout mistake cannot build. Functions forward to
//! `ws2_32`/`iphlpapi` through `windows-sys`, after `WSAStartup`.
//!
//! errno values are Winsock's `WSAE*` codes: that is what `WSAGetLastError` (and thus
//! `io::Error::raw_os_error`) reports for sockets, so every errno name a socket error
//! can carry stands for its WSA code, the mapping libuv makes (`EAGAIN` is
//! `WSAEWOULDBLOCK`). CPython's `errno` module does so for the socket-only names
//! (`ECONNREFUSED` is 10061 there) but keeps the C runtime's numbers for the names both
//! share (`EINTR` 4, `EBADF` 9, `EINVAL` 22, `EAGAIN` 11, …).

// POSIX names with POSIX meanings: their documentation is POSIX's.
#![allow(non_camel_case_types, non_snake_case, missing_docs, clippy::missing_safety_doc)]

use std::mem::{offset_of, size_of};

pub use core::ffi::{c_char, c_int, c_short, c_uint, c_ushort, c_void};

use windows_sys::Win32::Foundation as f;
use windows_sys::Win32::NetworkManagement::IpHelper as ip;
use windows_sys::Win32::Networking::WinSock as ws;

use super::startup;

pub type socklen_t = i32;
pub type sa_family_t = u16;

// ---- address families, socket types, flags ------------------------------------------------
pub const AF_UNSPEC: c_int = ws::AF_UNSPEC as c_int;
pub const AF_UNIX: c_int = ws::AF_UNIX as c_int;
pub const AF_INET: c_int = ws::AF_INET as c_int;
pub const AF_INET6: c_int = ws::AF_INET6 as c_int;
pub const SOCK_STREAM: c_int = ws::SOCK_STREAM;
pub const SOCK_DGRAM: c_int = ws::SOCK_DGRAM;
pub const SOCK_RAW: c_int = ws::SOCK_RAW;
pub const SOCK_SEQPACKET: c_int = ws::SOCK_SEQPACKET;
pub const SOL_SOCKET: c_int = ws::SOL_SOCKET;
pub const AI_PASSIVE: c_int = ws::AI_PASSIVE as c_int;
pub const AI_CANONNAME: c_int = ws::AI_CANONNAME as c_int;
pub const AI_NUMERICHOST: c_int = ws::AI_NUMERICHOST as c_int;
pub const NI_NUMERICHOST: c_int = ws::NI_NUMERICHOST as c_int;
pub const NI_NUMERICSERV: c_int = ws::NI_NUMERICSERV as c_int;
pub const NI_NAMEREQD: c_int = ws::NI_NAMEREQD as c_int;
/// `IF_NAMESIZE` (`NDIS_IF_MAX_STRING_SIZE`) plus the NUL `if_indextoname` writes.
pub const IF_NAMESIZE: usize = 257;

// ---- getaddrinfo codes (ws2tcpip.h) -------------------------------------------------------
pub const EAI_AGAIN: c_int = ws::WSATRY_AGAIN;
pub const EAI_BADFLAGS: c_int = ws::WSAEINVAL;
pub const EAI_FAIL: c_int = ws::WSANO_RECOVERY;
pub const EAI_FAMILY: c_int = ws::WSAEAFNOSUPPORT;
pub const EAI_MEMORY: c_int = ws::WSA_NOT_ENOUGH_MEMORY;
pub const EAI_NONAME: c_int = ws::WSAHOST_NOT_FOUND;
pub const EAI_SERVICE: c_int = ws::WSATYPE_NOT_FOUND;
pub const EAI_SOCKTYPE: c_int = ws::WSAESOCKTNOSUPPORT;
/// Winsock has no `EAI_SYSTEM`: `getaddrinfo` reports system failures as WSA codes. A
/// value no call returns keeps the portable check (`code == EAI_SYSTEM`) false.
pub const EAI_SYSTEM: c_int = c_int::MIN;

// ---- errno: Winsock's codes, and Win32 ones where Winsock has none --------------------------
pub const EINTR: c_int = ws::WSAEINTR;
pub const EBADF: c_int = ws::WSAEBADF;
pub const EACCES: c_int = ws::WSAEACCES;
pub const EFAULT: c_int = ws::WSAEFAULT;
pub const EINVAL: c_int = ws::WSAEINVAL;
pub const EMFILE: c_int = ws::WSAEMFILE;
pub const EAGAIN: c_int = ws::WSAEWOULDBLOCK;
pub const EWOULDBLOCK: c_int = ws::WSAEWOULDBLOCK;
pub const EINPROGRESS: c_int = ws::WSAEINPROGRESS;
pub const EALREADY: c_int = ws::WSAEALREADY;
pub const ENOTSOCK: c_int = ws::WSAENOTSOCK;
pub const EAFNOSUPPORT: c_int = ws::WSAEAFNOSUPPORT;
pub const EOPNOTSUPP: c_int = ws::WSAEOPNOTSUPP;
pub const ECONNRESET: c_int = ws::WSAECONNRESET;
pub const ECONNREFUSED: c_int = ws::WSAECONNREFUSED;
pub const ETIMEDOUT: c_int = ws::WSAETIMEDOUT;
pub const ENOMEM: c_int = ws::WSA_NOT_ENOUGH_MEMORY;
pub const EIO: c_int = f::ERROR_IO_DEVICE as c_int;
pub const ENOSYS: c_int = f::ERROR_CALL_NOT_IMPLEMENTED as c_int;
pub const ESPIPE: c_int = f::ERROR_SEEK_ON_DEVICE as c_int;

// ---- structs ------------------------------------------------------------------------------
#[repr(C)]
#[derive(Clone, Copy)]
pub struct sockaddr {
  pub sa_family: sa_family_t,
  pub sa_data: [c_char; 14],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct in_addr {
  pub s_addr: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sockaddr_in {
  pub sin_family: sa_family_t,
  pub sin_port: u16,
  pub sin_addr: in_addr,
  pub sin_zero: [c_char; 8],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct in6_addr {
  pub s6_addr: [u8; 16],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct sockaddr_in6 {
  pub sin6_family: sa_family_t,
  pub sin6_port: u16,
  pub sin6_flowinfo: u32,
  pub sin6_addr: in6_addr,
  pub sin6_scope_id: u32,
}

/// afunix.h: `UNIX_PATH_MAX` is 108, as on Linux.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct sockaddr_un {
  pub sun_family: sa_family_t,
  pub sun_path: [c_char; 108],
}

/// `ADDRINFOA`: `ai_addrlen` is a `size_t` and `ai_canonname` comes before `ai_addr`.
#[repr(C)]
pub struct addrinfo {
  pub ai_flags: c_int,
  pub ai_family: c_int,
  pub ai_socktype: c_int,
  pub ai_protocol: c_int,
  pub ai_addrlen: usize,
  pub ai_canonname: *mut c_char,
  pub ai_addr: *mut sockaddr,
  pub ai_next: *mut addrinfo,
}

/// `SERVENT`: on 64-bit Windows `s_proto` comes before `s_port`.
#[repr(C)]
pub struct servent {
  pub s_name: *mut c_char,
  pub s_aliases: *mut *mut c_char,
  #[cfg(target_pointer_width = "64")]
  pub s_proto: *mut c_char,
  pub s_port: c_short,
  #[cfg(not(target_pointer_width = "64"))]
  pub s_proto: *mut c_char,
}

#[repr(C)]
pub struct protoent {
  pub p_name: *mut c_char,
  pub p_aliases: *mut *mut c_char,
  pub p_proto: c_short,
}

macro_rules! same_layout {
  ($ours:ty, $theirs:ty $(, $a:ident = $b:ident)*) => {
    const _: () = {
      assert!(size_of::<$ours>() == size_of::<$theirs>());
      assert!(std::mem::align_of::<$ours>() == std::mem::align_of::<$theirs>());
      $(assert!(offset_of!($ours, $a) == offset_of!($theirs, $b));)*
    };
  };
}
same_layout!(sockaddr, ws::SOCKADDR, sa_data = sa_data);
same_layout!(sockaddr_in, ws::SOCKADDR_IN, sin_port = sin_port, sin_addr = sin_addr);
same_layout!(
  sockaddr_in6,
  ws::SOCKADDR_IN6,
  sin6_flowinfo = sin6_flowinfo,
  sin6_addr = sin6_addr
);
same_layout!(sockaddr_un, ws::SOCKADDR_UN, sun_path = sun_path);
same_layout!(
  addrinfo,
  ws::ADDRINFOA,
  ai_addrlen = ai_addrlen,
  ai_canonname = ai_canonname,
  ai_addr = ai_addr,
  ai_next = ai_next
);
same_layout!(servent, ws::SERVENT, s_port = s_port, s_proto = s_proto);
same_layout!(protoent, ws::PROTOENT, p_proto = p_proto);

// ---- functions ----------------------------------------------------------------------------
pub unsafe fn getaddrinfo(
  node: *const c_char,
  service: *const c_char,
  hints: *const addrinfo,
  res: *mut *mut addrinfo,
) -> c_int {
  startup();
  // SAFETY: forwarded; addrinfo has ADDRINFOA's layout (checked above).
  unsafe { ws::getaddrinfo(node.cast(), service.cast(), hints.cast(), res.cast()) }
}

pub unsafe fn freeaddrinfo(res: *mut addrinfo) {
  // SAFETY: forwarded.
  unsafe { ws::freeaddrinfo(res.cast()) }
}

#[allow(clippy::too_many_arguments)]
pub unsafe fn getnameinfo(
  sa: *const sockaddr,
  salen: socklen_t,
  host: *mut c_char,
  hostlen: u32,
  serv: *mut c_char,
  servlen: u32,
  flags: c_int,
) -> c_int {
  startup();
  // SAFETY: forwarded.
  unsafe { ws::getnameinfo(sa.cast(), salen, host.cast(), hostlen, serv.cast(), servlen, flags) }
}

pub unsafe fn gethostname(name: *mut c_char, len: usize) -> c_int {
  startup();
  // SAFETY: forwarded; the length is clamped to what an int can say.
  unsafe { ws::gethostname(name.cast(), len.min(c_int::MAX as usize) as c_int) }
}

/// Windows renames a computer with `SetComputerNameEx` and a reboot, not a socket call:
/// fails with `EOPNOTSUPP`.
pub unsafe fn sethostname(_name: *const c_char, _len: usize) -> c_int {
  // SAFETY: sets this thread's last error, which io::Error::last_os_error reads.
  unsafe { ws::WSASetLastError(EOPNOTSUPP) };
  -1
}

pub unsafe fn getservbyname(name: *const c_char, proto: *const c_char) -> *mut servent {
  startup();
  // SAFETY: forwarded; servent has SERVENT's layout.
  unsafe { ws::getservbyname(name.cast(), proto.cast()).cast() }
}

pub unsafe fn getservbyport(port: c_int, proto: *const c_char) -> *mut servent {
  startup();
  // SAFETY: forwarded.
  unsafe { ws::getservbyport(port, proto.cast()).cast() }
}

pub unsafe fn getprotobyname(name: *const c_char) -> *mut protoent {
  startup();
  // SAFETY: forwarded; protoent has PROTOENT's layout.
  unsafe { ws::getprotobyname(name.cast()).cast() }
}

pub unsafe fn inet_pton(af: c_int, src: *const c_char, dst: *mut c_void) -> c_int {
  // SAFETY: forwarded.
  unsafe { ws::inet_pton(af, src.cast(), dst) }
}

pub unsafe fn inet_ntop(af: c_int, src: *const c_void, dst: *mut c_char, size: socklen_t) -> *const c_char {
  // SAFETY: forwarded.
  unsafe { ws::inet_ntop(af, src, dst.cast(), size.max(0) as usize).cast() }
}

pub unsafe fn if_nametoindex(name: *const c_char) -> c_uint {
  // SAFETY: forwarded.
  unsafe { ip::if_nametoindex(name.cast()) }
}

pub unsafe fn if_indextoname(index: c_uint, name: *mut c_char) -> *mut c_char {
  // SAFETY: forwarded; the caller's buffer holds IF_NAMESIZE bytes.
  unsafe { ip::if_indextoname(index, name.cast()).cast() }
}

/// ws2def.h's `WSA_CMSGHDR_ALIGN`/`WSA_CMSGDATA_ALIGN`: headers and data are aligned to
/// a pointer-sized `size_t`.
const fn cmsg_align(n: usize) -> usize {
  (n + size_of::<usize>() - 1) & !(size_of::<usize>() - 1)
}

/// `WSA_CMSG_LEN(n)`. Pure arithmetic; `unsafe` only to match libc's signature.
pub const unsafe fn CMSG_LEN(n: c_uint) -> c_uint {
  (cmsg_align(size_of::<ws::CMSGHDR>()) + n as usize) as c_uint
}

/// `WSA_CMSG_SPACE(n)`. Pure arithmetic; `unsafe` only to match libc's signature.
pub const unsafe fn CMSG_SPACE(n: c_uint) -> c_uint {
  (cmsg_align(size_of::<ws::CMSGHDR>()) + cmsg_align(n as usize)) as c_uint
}
