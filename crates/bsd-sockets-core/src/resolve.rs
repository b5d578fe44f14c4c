//! Name resolution: `getaddrinfo`, `getnameinfo`, the `gethostby*` family, `getfqdn`,
//! host names, the services and protocols databases, and [`resolve_ip`], which turns the
//! host string of an `AF_INET`/`AF_INET6` address into an IP (CPython's `setipaddr`).
//!
//! Every function here is reentrant and may run on any thread (the Node layer runs the
//! blocking ones on the libuv thread pool): they call `getaddrinfo(3)`,
//! `getnameinfo(3)` and, on glibc, the `*_r` variants of the `netdb.h` lookups, never a
//! function that returns a pointer to static storage. On other C libraries the
//! `gethostby*` functions are built on `getaddrinfo`/`getnameinfo`, and the services and
//! protocols lookups use the classic calls serialised by a process-wide lock.
//!
//! Host names are passed to the C library as UTF-8 bytes: there is no IDNA encoding
//! (CPython encodes `str` host names with its `idna` codec first).

use std::ffi::{CStr, CString};
use std::mem;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::raw::c_char;
use std::ptr;

use socket2::{SockAddr, SockAddrStorage};

use crate::error::{Error, Result};
use crate::inet::NUL_MESSAGE;
use crate::sys::{self, c};

/// One entry of a [`getaddrinfo`] answer (a C `struct addrinfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
  /// `ai_family`: `AF_INET` or `AF_INET6`.
  pub family: i32,
  /// `ai_socktype`: `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_RAW`…
  pub socktype: i32,
  /// `ai_protocol`: `IPPROTO_TCP`, `IPPROTO_UDP`, or 0.
  pub protocol: i32,
  /// `ai_canonname`, or `""` when the C library gave none (it gives one only with
  /// `AI_CANONNAME`, and only in the first entry).
  pub canonname: String,
  /// `ai_addr`, byte for byte (port, flowinfo and scope id included).
  pub addr: SockAddr,
}

/// Owns a `getaddrinfo(3)` answer and frees it when dropped.
struct AddrInfoList(*mut c::addrinfo);

impl Drop for AddrInfoList {
  fn drop(&mut self) {
    if !self.0.is_null() {
      // SAFETY: the list came from a successful getaddrinfo() and is freed once.
      unsafe { c::freeaddrinfo(self.0) };
    }
  }
}

impl AddrInfoList {
  /// The entries, in the order the C library returned them.
  fn iter(&self) -> impl Iterator<Item = &c::addrinfo> + '_ {
    let mut next = self.0;
    std::iter::from_fn(move || {
      if next.is_null() {
        return None;
      }
      // SAFETY: every node of the list stays valid while `self` is alive.
      let entry = unsafe { &*next };
      next = entry.ai_next;
      Some(entry)
    })
  }
}

/// An `Error` for a `getaddrinfo(3)`/`getnameinfo(3)` return code. Must be called right
/// after the call, so that `errno` is still the call's for `EAI_SYSTEM`.
fn gai_error(code: i32, syscall: &'static str) -> Error {
  if code == c::EAI_SYSTEM {
    let err = Error::last_os(syscall);
    if err.errno().is_some_and(|e| e != 0) {
      return err;
    }
    return Error::os(c::EIO, syscall);
  }
  Error::Gai { code, syscall }
}

/// `getaddrinfo(3)` with the given hints; the raw answer.
fn raw_getaddrinfo(
  host: Option<&CStr>,
  port: Option<&CStr>,
  family: i32,
  socktype: i32,
  protocol: i32,
  flags: i32,
) -> Result<AddrInfoList> {
  // SAFETY: an all-zero addrinfo is the documented "no hints" value.
  let mut hints: c::addrinfo = unsafe { mem::zeroed() };
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_protocol = protocol;
  hints.ai_flags = flags;
  let mut res: *mut c::addrinfo = ptr::null_mut();
  // SAFETY: the strings are NUL-terminated or NULL, the hints are initialised, and the
  // answer is owned by the returned guard.
  let rc = unsafe {
    c::getaddrinfo(
      host.map_or(ptr::null(), CStr::as_ptr),
      port.map_or(ptr::null(), CStr::as_ptr),
      &hints,
      &mut res,
    )
  };
  if rc != 0 {
    return Err(gai_error(rc, "getaddrinfo"));
  }
  Ok(AddrInfoList(res))
}

/// `s` as a C string, refusing interior NULs (the C library would stop at them).
fn c_string(s: &str) -> Result<CString> {
  CString::new(s).map_err(|_| Error::arg_value(NUL_MESSAGE))
}

/// Calls `f` with `s` as a C string, without allocating for short strings (host names
/// are at most 253 bytes).
fn with_c_str<T>(s: &str, f: impl FnOnce(&CStr) -> Result<T>) -> Result<T> {
  let bytes = s.as_bytes();
  if bytes.contains(&0) {
    return Err(Error::arg_value(NUL_MESSAGE));
  }
  let mut buf = [0u8; 256];
  if bytes.len() < buf.len() {
    buf[..bytes.len()].copy_from_slice(bytes);
    let c = CStr::from_bytes_until_nul(&buf).map_err(|_| Error::arg_value(NUL_MESSAGE))?;
    f(c)
  } else {
    f(&c_string(s)?)
  }
}

/// Copies a C socket address into a `SockAddr`.
fn sockaddr_from_raw(addr: *const c::sockaddr, len: usize) -> SockAddr {
  let mut storage = SockAddrStorage::zeroed();
  let len = if addr.is_null() {
    0
  } else {
    len.min(mem::size_of::<SockAddrStorage>())
  };
  // SAFETY: `addr` points to `len` readable bytes (getaddrinfo's ai_addrlen), and the
  // storage is large enough for any socket address.
  unsafe {
    if len > 0 {
      ptr::copy_nonoverlapping(
        addr.cast::<u8>(),
        (&mut storage as *mut SockAddrStorage).cast::<u8>(),
        len,
      );
    }
    SockAddr::new(storage, len as c::socklen_t)
  }
}

/// `ai_addrlen`, a `socklen_t` on Unix and a `size_t` on Windows.
#[allow(clippy::unnecessary_cast)]
fn addrlen(entry: &c::addrinfo) -> usize {
  entry.ai_addrlen as usize
}

/// The IP and scope id of a `getaddrinfo` entry.
fn ip_of(entry: &c::addrinfo) -> Option<(IpAddr, u32)> {
  if entry.ai_addr.is_null() {
    return None;
  }
  let len = addrlen(entry);
  match entry.ai_family {
    c::AF_INET if len >= mem::size_of::<c::sockaddr_in>() => {
      // SAFETY: an AF_INET entry of at least this length is a sockaddr_in.
      let sin = unsafe { ptr::read_unaligned(entry.ai_addr.cast::<c::sockaddr_in>()) };
      Some((IpAddr::V4(Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes())), 0))
    }
    c::AF_INET6 if len >= mem::size_of::<c::sockaddr_in6>() => {
      // SAFETY: an AF_INET6 entry of at least this length is a sockaddr_in6.
      let sin6 = unsafe { ptr::read_unaligned(entry.ai_addr.cast::<c::sockaddr_in6>()) };
      Some((IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)), sin6.sin6_scope_id))
    }
    _ => None,
  }
}

/// `getaddrinfo(3)`: resolves `host` and `port` (a decimal string or a service name;
/// the caller formats integer ports, as CPython does, without a range check) into socket
/// addresses, filtered by the `family`, `socktype`, `protocol` and `AI_*` `flags` hints.
///
/// Results are in the C library's order; `canonname` is `""` except in the first entry
/// with `AI_CANONNAME`. `None` passes NULL (`(None, Some("80"))` gives the loopback
/// addresses, or the wildcard ones with `AI_PASSIVE`); `Some("")` passes an empty
/// string (`EAI_NONAME` for a host).
///
/// Errors: a NUL in `host` or `port` → [`Error::arg_value`] (CPython silently truncates
/// at the NUL; we refuse); `EAI_SYSTEM` → [`Error::Os`] with the errno; any other
/// failure → [`Error::Gai`] with the `EAI_*` code, syscall `getaddrinfo`.
pub fn getaddrinfo(
  host: Option<&str>,
  port: Option<&str>,
  family: i32,
  socktype: i32,
  protocol: i32,
  flags: i32,
) -> Result<Vec<AddrInfo>> {
  let host = host.map(c_string).transpose()?;
  let port = port.map(c_string).transpose()?;
  let list = raw_getaddrinfo(host.as_deref(), port.as_deref(), family, socktype, protocol, flags)?;
  Ok(
    list
      .iter()
      .map(|entry| AddrInfo {
        family: entry.ai_family,
        socktype: entry.ai_socktype,
        protocol: entry.ai_protocol,
        canonname: if entry.ai_canonname.is_null() {
          String::new()
        } else {
          // SAFETY: ai_canonname is NUL-terminated and lives as long as the list.
          unsafe { CStr::from_ptr(entry.ai_canonname) }
            .to_string_lossy()
            .into_owned()
        },
        addr: sockaddr_from_raw(entry.ai_addr, addrlen(entry)),
      })
      .collect(),
  )
}

/// `getnameinfo(3)` for the address `(host, port[, flowinfo[, scope_id]])`: the host name
/// (or numeric host with `NI_NUMERICHOST`) and the service name (or decimal port with
/// `NI_NUMERICSERV`).
///
/// As in CPython, `host` must be numeric: it is first resolved with
/// `getaddrinfo(host, port, AF_UNSPEC, SOCK_DGRAM, AI_NUMERICHOST)`, so a name gives
/// `EAI_NONAME`. For IPv6, `flowinfo` and `scope_id` (default 0) overwrite whatever the
/// string gave: `('fe80::1%lo', 80)` is looked up with scope 0, a scope id is rendered
/// as `%ifname` (or `%N` for an unknown index).
///
/// Errors: `flowinfo` above 0xfffff → [`Error::out_of_range`] `"getnameinfo(): flowinfo
/// must be 0-1048575."` (CPython's `OverflowError`); a NUL in `host` →
/// [`Error::arg_value`]; an IPv4 host with `flowinfo` or `scope_id` given →
/// [`Error::arg_value`] `"IPv4 sockaddr must be 2 tuple"` (CPython: `OSError` with no
/// errno); resolver failures → [`Error::Gai`] (syscall `getaddrinfo` for the numeric
/// parse, `getnameinfo` for the lookup), `EAI_SYSTEM` → [`Error::Os`].
pub fn getnameinfo(
  host: &str,
  port: u16,
  flowinfo: Option<u32>,
  scope_id: Option<u32>,
  flags: i32,
) -> Result<(String, String)> {
  if flowinfo.is_some_and(|f| f > 0xf_ffff) {
    return Err(Error::out_of_range("getnameinfo(): flowinfo must be 0-1048575."));
  }
  let port_text = c_string(&port.to_string())?;
  let list = with_c_str(host, |h| {
    raw_getaddrinfo(
      Some(h),
      Some(&port_text),
      c::AF_UNSPEC,
      c::SOCK_DGRAM,
      0,
      c::AI_NUMERICHOST,
    )
  })?;
  let mut entries = list.iter();
  let entry = entries.next().ok_or(Error::Gai {
    code: c::EAI_NONAME,
    syscall: "getaddrinfo",
  })?;
  if entries.next().is_some() {
    return Err(Error::arg_value("sockaddr resolved to multiple addresses"));
  }
  let mut storage = SockAddrStorage::zeroed();
  let len = (entry.ai_addrlen as usize).min(mem::size_of::<SockAddrStorage>());
  let storage_ptr = (&mut storage as *mut SockAddrStorage).cast::<u8>();
  // SAFETY: ai_addr points to ai_addrlen readable bytes; the storage is large enough.
  unsafe { ptr::copy_nonoverlapping(entry.ai_addr.cast::<u8>(), storage_ptr, len) };
  match entry.ai_family {
    c::AF_INET => {
      if flowinfo.is_some() || scope_id.is_some() {
        return Err(Error::arg_value("IPv4 sockaddr must be 2 tuple"));
      }
    }
    c::AF_INET6 if len >= mem::size_of::<c::sockaddr_in6>() => {
      let sin6_ptr = storage_ptr.cast::<c::sockaddr_in6>();
      // SAFETY: the storage holds a sockaddr_in6 (family and length checked).
      unsafe {
        let mut sin6 = ptr::read_unaligned(sin6_ptr);
        sin6.sin6_flowinfo = flowinfo.unwrap_or(0).to_be();
        sin6.sin6_scope_id = scope_id.unwrap_or(0);
        ptr::write_unaligned(sin6_ptr, sin6);
      }
    }
    _ => return Err(Error::os(c::EAFNOSUPPORT, "getnameinfo")),
  }
  // NI_MAXHOST and NI_MAXSERV bytes.
  let mut host_buf: [c_char; 1025] = [0; 1025];
  let mut serv_buf: [c_char; 32] = [0; 32];
  // SAFETY: the address is `len` initialised bytes; both buffers are writable for the
  // lengths passed.
  let rc = unsafe {
    c::getnameinfo(
      storage_ptr.cast::<c::sockaddr>(),
      len as c::socklen_t,
      host_buf.as_mut_ptr(),
      // socklen_t on Linux, size_t on FreeBSD.
      host_buf.len() as _,
      serv_buf.as_mut_ptr(),
      serv_buf.len() as _,
      flags as _,
    )
  };
  if rc != 0 {
    return Err(gai_error(rc, "getnameinfo"));
  }
  // SAFETY: on success both buffers hold NUL-terminated strings.
  let (name, serv) = unsafe { (CStr::from_ptr(host_buf.as_ptr()), CStr::from_ptr(serv_buf.as_ptr())) };
  Ok((name.to_string_lossy().into_owned(), serv.to_string_lossy().into_owned()))
}

/// The IP address (and IPv6 scope id, 0 for IPv4) that `bind`/`connect`/`sendto` use
/// for the host string of an `AF_INET` or `AF_INET6` address: CPython's `setipaddr`.
///
/// * `""` → `0.0.0.0` (`AF_INET`) or `::` (`AF_INET6`).
/// * `"<broadcast>"` and `"255.255.255.255"` → `255.255.255.255`; with `AF_INET6` →
///   [`Error::arg_value`] `"address family mismatched"` (CPython: `OSError` with no
///   errno).
/// * A strict numeric address of the right family (`inet_pton` syntax) is parsed in Rust
///   without any C library call or allocation: this is the hot path of `sendto`.
/// * Anything else goes to `getaddrinfo(host, NULL, family, 0, 0, 0)` and the FIRST
///   answer is used: names (`"localhost"`), the BSD forms (`"127.1"` → `127.0.0.1`) and
///   scoped IPv6 (`"fe80::1%lo"` gives the interface index as scope id). An IPv4 literal
///   with `AF_INET6` (or the reverse) gives the `EAI_ADDRFAMILY` [`Error::Gai`] that
///   glibc answers.
///
/// `family` may also be `AF_UNSPEC` (IPv4 tried first; used by [`gethostbyaddr`]); then
/// `""` is resolved like CPython, through `getaddrinfo(NULL, "0", AF_UNSPEC, SOCK_DGRAM,
/// AI_PASSIVE)`, and refused with [`Error::arg_value`] `"wildcard resolved to multiple
/// address"` when that gives more than one address. Another `family` gives
/// [`Error::Gai`] `EAI_FAMILY`. A NUL in `host` → [`Error::arg_value`].
pub fn resolve_ip(host: &str, family: i32) -> Result<(IpAddr, u32)> {
  let (want_v4, want_v6) = match family {
    c::AF_INET => (true, false),
    c::AF_INET6 => (false, true),
    c::AF_UNSPEC => (true, true),
    _ => {
      return Err(Error::Gai {
        code: c::EAI_FAMILY,
        syscall: "getaddrinfo",
      })
    }
  };
  if host.is_empty() {
    return match family {
      c::AF_INET => Ok((IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0)),
      c::AF_INET6 => Ok((IpAddr::V6(Ipv6Addr::UNSPECIFIED), 0)),
      _ => {
        let list = raw_getaddrinfo(None, Some(c"0"), family, c::SOCK_DGRAM, 0, c::AI_PASSIVE)?;
        let mut entries = list.iter();
        let first = entries.next().and_then(ip_of);
        if entries.next().is_some() {
          return Err(Error::arg_value("wildcard resolved to multiple address"));
        }
        first.ok_or(Error::Gai {
          code: c::EAI_NONAME,
          syscall: "getaddrinfo",
        })
      }
    };
  }
  if host == "<broadcast>" || host == "255.255.255.255" {
    if !want_v4 {
      return Err(Error::arg_value("address family mismatched"));
    }
    return Ok((IpAddr::V4(Ipv4Addr::BROADCAST), 0));
  }
  if want_v4 {
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
      return Ok((IpAddr::V4(ip), 0));
    }
  }
  if want_v6 {
    if let Ok(ip) = host.parse::<Ipv6Addr>() {
      return Ok((IpAddr::V6(ip), 0));
    }
  }
  let list = with_c_str(host, |h| raw_getaddrinfo(Some(h), None, family, 0, 0, 0))?;
  let first = list.iter().next();
  match first {
    Some(entry) => ip_of(entry).ok_or(Error::os(c::EAFNOSUPPORT, "getaddrinfo")),
    None => Err(Error::Gai {
      code: c::EAI_NONAME,
      syscall: "getaddrinfo",
    }),
  }
}

/// `gethostbyname`: the IPv4 address of `host` as a dotted quad, resolved by
/// [`resolve_ip`] with `AF_INET` (`getaddrinfo(3)` for names), exactly as CPython does.
///
/// `""` → `"0.0.0.0"`, `"<broadcast>"` → `"255.255.255.255"`, numeric strings pass
/// through the `inet_aton` forms glibc's `getaddrinfo` accepts (`"1.2.3"` →
/// `"1.2.0.3"`), `"::1"` → [`Error::Gai`] `EAI_ADDRFAMILY`, an unknown name →
/// [`Error::Gai`] `EAI_NONAME`. A NUL → [`Error::arg_value`] (CPython: `TypeError`).
pub fn gethostbyname(host: &str) -> Result<String> {
  let (ip, _) = resolve_ip(host, c::AF_INET)?;
  Ok(ip.to_string())
}

/// `gethostbyname_ex`: `(name, aliases, ipv4_addresses)` for `host`.
///
/// As CPython does, `host` is first checked with [`resolve_ip`] (`AF_INET`), so
/// unknown names and IPv6 literals give the same [`Error::Gai`] as [`gethostbyname`];
/// then glibc's reentrant `gethostbyname_r(3)` gives the answer (`"localhost"` →
/// `("localhost", [], ["127.0.0.1"])`; `"LOCALHOST"` → the name as `/etc/hosts` spells
/// it; `"1.2.3"` → `("1.2.3", [], ["1.2.0.3"])`).
///
/// When that second lookup fails (CPython's `herror`; `""` gives `(3, 'Unknown server
/// error')`, `"0x7f.1"`, which glibc's `getaddrinfo` accepts but `gethostbyname_r` does
/// not, gives `(1, 'Unknown host')`): [`Error::NotFound`] whose message is `hstrerror`'s
/// text ("Unknown host", "Host name lookup failure", "Unknown server error", "No address
/// associated with name"), syscall `gethostbyname`. The `h_errno` number itself is not
/// kept; an internal resolver error (`NETDB_INTERNAL`) is an [`Error::Os`] with the errno.
/// The code is the one `gethostbyname_r` reports through its `h_errnop` argument; CPython
/// reads the thread's global `h_errno` instead, which can be stale (`"<broadcast>"` gives
/// `herror(0, 'Resolver Error 0 (no error)')` in a fresh CPython process, "Unknown host"
/// here).
///
/// Without glibc, the answer comes from `getaddrinfo(AF_INET, AI_CANONNAME)` instead
/// (canonical name, no aliases, the distinct addresses).
pub fn gethostbyname_ex(host: &str) -> Result<(String, Vec<String>, Vec<String>)> {
  resolve_ip(host, c::AF_INET)?;
  with_c_str(host, db::host_by_name)
}

/// `gethostbyaddr`: `(name, aliases, addresses)` for the host that owns an address.
///
/// As CPython does, the argument (address or name) is first resolved with
/// [`resolve_ip`] and `AF_UNSPEC` (first answer; `""` →
/// [`Error::arg_value`] `"wildcard resolved to multiple address"`; an unknown name →
/// [`Error::Gai`]); then glibc's reentrant `gethostbyaddr_r(3)` looks the address up
/// (`"127.0.0.1"` → `("localhost", [], ["127.0.0.1"])`, from `/etc/hosts` or a PTR
/// record). The scope id of an IPv6 address is not used.
///
/// No answer → [`Error::NotFound`] `"Unknown host"` (CPython's `herror(1, 'Unknown
/// host')`; other `h_errno` values give their own text), syscall `gethostbyaddr`.
///
/// Without glibc, the name comes from `getnameinfo(NI_NAMEREQD)` (no aliases, the one
/// address).
pub fn gethostbyaddr(host: &str) -> Result<(String, Vec<String>, Vec<String>)> {
  let (ip, _) = resolve_ip(host, c::AF_UNSPEC)?;
  db::host_by_addr(ip)
}

/// `getfqdn`: CPython's algorithm. `name` is trimmed; if it is then empty, `"0.0.0.0"`
/// or `"::"`, [`gethostname`] is used instead. The first of the [`gethostbyaddr`] name
/// and aliases that contains a `.` is returned, else that name; if the lookup fails, the
/// (trimmed) name itself. Never fails: where CPython would raise (a NUL in the name, or
/// `gethostname` failing) the trimmed name is returned too.
pub fn getfqdn(name: &str) -> String {
  let mut name = name.trim().to_string();
  if name.is_empty() || name == "0.0.0.0" || name == "::" {
    if let Ok(own) = gethostname() {
      name = own;
    }
  }
  match gethostbyaddr(&name) {
    Ok((hostname, aliases, _)) => std::iter::once(&hostname)
      .chain(aliases.iter())
      .find(|n| n.contains('.'))
      .unwrap_or(&hostname)
      .clone(),
    Err(_) => name,
  }
}

/// `gethostname(2)`: this machine's host name (bytes that are not UTF-8 are replaced).
///
/// Errors: the call failing → [`Error::Os`], syscall `gethostname`.
pub fn gethostname() -> Result<String> {
  let mut buf = [0u8; 1025];
  // SAFETY: the buffer is writable for the length passed (one byte kept for the NUL).
  let rc = unsafe { c::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
  if rc != 0 {
    return Err(Error::last_os("gethostname"));
  }
  let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
  Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// `sethostname(2)`: sets this machine's host name to exactly these bytes (needs
/// `CAP_SYS_ADMIN`; it changes the whole host or UTS namespace).
///
/// Errors: the call failing (`EPERM` when unprivileged, `EINVAL` when too long) →
/// [`Error::Os`], syscall `sethostname`.
pub fn sethostname(name: &[u8]) -> Result<()> {
  // SAFETY: `name` is readable for its length; the kernel copies it.
  let rc = unsafe { c::sethostname(name.as_ptr().cast(), name.len() as _) };
  if rc != 0 {
    return Err(Error::last_os("sethostname"));
  }
  Ok(())
}

fn not_found(message: &str, syscall: &'static str) -> Error {
  Error::NotFound {
    message: message.to_string(),
    syscall,
  }
}

/// `getservbyname`: the port of a service in the services database (`/etc/services`),
/// for protocol `proto` (`"tcp"`, `"udp"`…) or the first one listed when `None`:
/// `("http", Some("tcp"))` → 80. Uses glibc's `getservbyname_r(3)`.
///
/// Errors: a NUL → [`Error::arg_value`]; unknown service or protocol →
/// [`Error::NotFound`] `"service/proto not found"` (CPython: `OSError` with no errno),
/// syscall `getservbyname`.
pub fn getservbyname(name: &str, proto: Option<&str>) -> Result<u16> {
  let name = c_string(name)?;
  let proto = proto.map(c_string).transpose()?;
  db::serv_by_name(&name, proto.as_deref())?.ok_or_else(|| not_found("service/proto not found", "getservbyname"))
}

/// `getservbyport`: the name of the service on `port` in the services database, for
/// protocol `proto` or any when `None`: 80 → `"http"`. Uses glibc's
/// `getservbyport_r(3)`.
///
/// Errors: a NUL in `proto` → [`Error::arg_value`]; no such entry →
/// [`Error::NotFound`] `"port/proto not found"` (CPython: `OSError` with no errno),
/// syscall `getservbyport`.
pub fn getservbyport(port: u16, proto: Option<&str>) -> Result<String> {
  let proto = proto.map(c_string).transpose()?;
  db::serv_by_port(port, proto.as_deref())?.ok_or_else(|| not_found("port/proto not found", "getservbyport"))
}

/// `getprotobyname`: the number of a protocol in the protocols database
/// (`/etc/protocols`), names and aliases matched as the C library does (`"udp"` → 17,
/// `"TCP"` → 6). Uses glibc's `getprotobyname_r(3)`.
///
/// Errors: a NUL → [`Error::arg_value`]; unknown → [`Error::NotFound`] `"protocol not
/// found"` (CPython: `OSError` with no errno), syscall `getprotobyname`.
pub fn getprotobyname(name: &str) -> Result<i32> {
  let name = c_string(name)?;
  db::proto_by_name(&name)?.ok_or_else(|| not_found("protocol not found", "getprotobyname"))
}

/// `gai_strerror(3)`: the C library's text for an `EAI_*` code (`EAI_NONAME` → "Name or
/// service not known" on glibc).
pub fn gai_strerror(code: i32) -> String {
  sys::gai_strerror(code)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
use glibc as db;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
use portable as db;

/// The lookups on glibc, through its reentrant `*_r` functions.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
  use std::ffi::CStr;
  use std::mem;
  use std::net::IpAddr;
  use std::os::raw::{c_char, c_int, c_void};
  use std::ptr;

  use crate::error::{Error, Result};
  use crate::inet::inet_ntop;

  /// glibc's `hstrerror(3)` texts (CPython's `herror` messages), without calling it.
  fn hstrerror(h_errno: i32) -> &'static str {
    match h_errno {
      0 => "Resolver Error 0 (no error)",
      1 => "Unknown host",
      2 => "Host name lookup failure",
      3 => "Unknown server error",
      4 => "No address associated with name",
      n if n < 0 => "Resolver internal error",
      _ => "Unknown resolver error",
    }
  }

  /// Reads a NULL-terminated array of C strings.
  ///
  /// # Safety
  /// `list` is NULL or points to a NULL-terminated array of valid C strings.
  unsafe fn c_string_list(list: *const *mut c_char) -> Vec<String> {
    let mut out = Vec::new();
    if list.is_null() {
      return out;
    }
    let mut at = list;
    loop {
      // SAFETY: not past the terminating NULL (the caller's contract).
      let item = unsafe { *at };
      if item.is_null() {
        break;
      }
      // SAFETY: every item is a valid C string.
      out.push(unsafe { CStr::from_ptr(item) }.to_string_lossy().into_owned());
      // SAFETY: `item` was not the terminator, so the next slot exists.
      at = unsafe { at.add(1) };
    }
    out
  }

  unsafe extern "C" {
    fn gethostbyname_r(
      name: *const c_char,
      ret: *mut libc::hostent,
      buf: *mut c_char,
      buflen: usize,
      result: *mut *mut libc::hostent,
      h_errnop: *mut c_int,
    ) -> c_int;
    fn gethostbyaddr_r(
      addr: *const c_void,
      len: libc::socklen_t,
      kind: c_int,
      ret: *mut libc::hostent,
      buf: *mut c_char,
      buflen: usize,
      result: *mut *mut libc::hostent,
      h_errnop: *mut c_int,
    ) -> c_int;
    fn getservbyname_r(
      name: *const c_char,
      proto: *const c_char,
      result_buf: *mut libc::servent,
      buf: *mut c_char,
      buflen: usize,
      result: *mut *mut libc::servent,
    ) -> c_int;
    fn getservbyport_r(
      port: c_int,
      proto: *const c_char,
      result_buf: *mut libc::servent,
      buf: *mut c_char,
      buflen: usize,
      result: *mut *mut libc::servent,
    ) -> c_int;
    fn getprotobyname_r(
      name: *const c_char,
      result_buf: *mut libc::protoent,
      buf: *mut c_char,
      buflen: usize,
      result: *mut *mut libc::protoent,
    ) -> c_int;
  }

  /// What one try of a `*_r` call gave.
  enum Try<T> {
    Done(T),
    /// `ERANGE`: the scratch buffer was too small.
    Grow,
  }

  /// Runs a `*_r` call with a scratch buffer, doubling it (from 4 KiB up to 4 MiB) while
  /// the call answers `ERANGE`. The buffer is 8-byte aligned.
  fn with_scratch<T>(syscall: &'static str, mut call: impl FnMut(*mut c_char, usize) -> Try<T>) -> Result<T> {
    const LIMIT: usize = 4 << 20;
    let mut words = 512;
    loop {
      let mut buf = vec![0u64; words];
      if let Try::Done(value) = call(buf.as_mut_ptr().cast(), words * 8) {
        return Ok(value);
      }
      if words * 8 >= LIMIT {
        return Err(Error::os(libc::ERANGE, syscall));
      }
      words *= 2;
    }
  }

  type HostTuple = (String, Vec<String>, Vec<String>);

  /// CPython's `gethost_common`: the name, aliases and addresses of a `hostent`.
  ///
  /// # Safety
  /// `h` is a `hostent` filled by a successful glibc call, with its buffer still alive.
  unsafe fn host_tuple(h: &libc::hostent) -> HostTuple {
    let name = if h.h_name.is_null() {
      String::new()
    } else {
      // SAFETY: h_name is a valid C string.
      unsafe { CStr::from_ptr(h.h_name) }.to_string_lossy().into_owned()
    };
    // SAFETY: h_aliases is a NULL-terminated array of C strings.
    let aliases = unsafe { c_string_list(h.h_aliases) };
    let mut addresses = Vec::new();
    let len = usize::try_from(h.h_length).unwrap_or(0);
    if !h.h_addr_list.is_null() {
      let mut at = h.h_addr_list;
      loop {
        // SAFETY: h_addr_list is NULL-terminated.
        let item = unsafe { *at };
        if item.is_null() {
          break;
        }
        // SAFETY: every address is h_length bytes.
        let bytes = unsafe { std::slice::from_raw_parts(item.cast::<u8>(), len) };
        if let Ok(text) = inet_ntop(h.h_addrtype, bytes) {
          addresses.push(text);
        }
        // SAFETY: `item` was not the terminator.
        at = unsafe { at.add(1) };
      }
    }
    (name, aliases, addresses)
  }

  /// The error for a failed `gethostby*_r`: CPython's `herror(h_errno)`.
  fn host_error(h_errno: c_int, rc: c_int, syscall: &'static str) -> Error {
    const NETDB_INTERNAL: c_int = -1;
    if h_errno == NETDB_INTERNAL {
      return if rc > 0 {
        Error::os(rc, syscall)
      } else {
        Error::last_os(syscall)
      };
    }
    Error::NotFound {
      message: hstrerror(h_errno).to_string(),
      syscall,
    }
  }

  /// One `gethostby*_r` try; `call` fills the hostent, result pointer and h_errno.
  fn host_try(
    syscall: &'static str,
    buf: *mut c_char,
    len: usize,
    call: impl FnOnce(*mut libc::hostent, *mut c_char, usize, *mut *mut libc::hostent, *mut c_int) -> c_int,
  ) -> Try<Result<HostTuple>> {
    // SAFETY: an all-zero hostent is a valid (empty) value.
    let mut ent: libc::hostent = unsafe { mem::zeroed() };
    let mut result: *mut libc::hostent = ptr::null_mut();
    let mut h_errno: c_int = 0;
    let rc = call(&mut ent, buf, len, &mut result, &mut h_errno);
    if rc == libc::ERANGE {
      return Try::Grow;
    }
    if result.is_null() {
      return Try::Done(Err(host_error(h_errno, rc, syscall)));
    }
    // SAFETY: on success `result` points to `ent`, whose strings live in `buf`.
    Try::Done(Ok(unsafe { host_tuple(&*result) }))
  }

  pub(super) fn host_by_name(name: &CStr) -> Result<HostTuple> {
    with_scratch("gethostbyname", |buf, len| {
      host_try("gethostbyname", buf, len, |ent, buf, len, result, h_errno| {
        // SAFETY: every pointer is valid for the call and `buf` for `len` bytes.
        unsafe { gethostbyname_r(name.as_ptr(), ent, buf, len, result, h_errno) }
      })
    })?
  }

  pub(super) fn host_by_addr(ip: IpAddr) -> Result<HostTuple> {
    let (family, bytes): (c_int, Vec<u8>) = match ip {
      IpAddr::V4(v4) => (libc::AF_INET, v4.octets().to_vec()),
      IpAddr::V6(v6) => (libc::AF_INET6, v6.octets().to_vec()),
    };
    with_scratch("gethostbyaddr", |buf, len| {
      host_try("gethostbyaddr", buf, len, |ent, buf, len, result, h_errno| {
        // SAFETY: `bytes` is the address of `family`; the other pointers are valid
        // for the call and `buf` for `len` bytes.
        unsafe {
          gethostbyaddr_r(
            bytes.as_ptr().cast(),
            bytes.len() as libc::socklen_t,
            family,
            ent,
            buf,
            len,
            result,
            h_errno,
          )
        }
      })
    })?
  }

  /// One `getserv*_r` try.
  fn serv_try<T>(
    buf: *mut c_char,
    len: usize,
    call: impl FnOnce(*mut libc::servent, *mut c_char, usize, *mut *mut libc::servent) -> c_int,
    read: impl FnOnce(&libc::servent) -> T,
  ) -> Try<Option<T>> {
    // SAFETY: an all-zero servent is a valid (empty) value.
    let mut ent: libc::servent = unsafe { mem::zeroed() };
    let mut result: *mut libc::servent = ptr::null_mut();
    let rc = call(&mut ent, buf, len, &mut result);
    if rc == libc::ERANGE {
      return Try::Grow;
    }
    if result.is_null() {
      return Try::Done(None);
    }
    // SAFETY: on success `result` points to the filled `ent`.
    Try::Done(Some(read(unsafe { &*result })))
  }

  pub(super) fn serv_by_name(name: &CStr, proto: Option<&CStr>) -> Result<Option<u16>> {
    let proto = proto.map_or(ptr::null(), CStr::as_ptr);
    with_scratch("getservbyname", |buf, len| {
      serv_try(
        buf,
        len,
        // SAFETY: the strings are NUL-terminated (or NULL for proto), the other
        // pointers valid for the call.
        |ent, buf, len, result| unsafe { getservbyname_r(name.as_ptr(), proto, ent, buf, len, result) },
        |ent| u16::from_be(ent.s_port as u16),
      )
    })
  }

  pub(super) fn serv_by_port(port: u16, proto: Option<&CStr>) -> Result<Option<String>> {
    let proto = proto.map_or(ptr::null(), CStr::as_ptr);
    with_scratch("getservbyport", |buf, len| {
      serv_try(
        buf,
        len,
        // SAFETY: proto is NUL-terminated or NULL, the other pointers valid.
        |ent, buf, len, result| unsafe { getservbyport_r(c_int::from(port.to_be()), proto, ent, buf, len, result) },
        |ent| {
          if ent.s_name.is_null() {
            String::new()
          } else {
            // SAFETY: s_name is a valid C string inside the scratch buffer.
            unsafe { CStr::from_ptr(ent.s_name) }.to_string_lossy().into_owned()
          }
        },
      )
    })
  }

  pub(super) fn proto_by_name(name: &CStr) -> Result<Option<i32>> {
    with_scratch("getprotobyname", |buf, len| {
      // SAFETY: an all-zero protoent is a valid (empty) value.
      let mut ent: libc::protoent = unsafe { mem::zeroed() };
      let mut result: *mut libc::protoent = ptr::null_mut();
      // SAFETY: `name` is NUL-terminated, the other pointers valid for the call.
      let rc = unsafe { getprotobyname_r(name.as_ptr(), &mut ent, buf, len, &mut result) };
      if rc == libc::ERANGE {
        return Try::Grow;
      }
      if result.is_null() {
        return Try::Done(None);
      }
      // SAFETY: on success `result` points to the filled `ent`.
      Try::Done(Some(unsafe { (*result).p_proto }))
    })
  }
}

/// The lookups without glibc: `getaddrinfo`/`getnameinfo` for hosts, and the classic
/// services/protocols calls (which return static storage) serialised by one lock. Also
/// compiled in tests on glibc, where its answers are compared with the `*_r` ones.
#[cfg(any(test, not(all(target_os = "linux", target_env = "gnu"))))]
mod portable {
  use std::ffi::CStr;
  use std::net::{IpAddr, SocketAddr};
  use std::os::raw::c_char;
  use std::ptr;
  use std::sync::{Mutex, MutexGuard, PoisonError};

  use socket2::SockAddr;

  use super::{ip_of, raw_getaddrinfo};
  use crate::error::{Error, Result};
  use crate::sys::c;

  type HostTuple = (String, Vec<String>, Vec<String>);

  /// Serialises the non-reentrant database calls made from this crate.
  static DB_LOCK: Mutex<()> = Mutex::new(());

  fn db_lock() -> MutexGuard<'static, ()> {
    DB_LOCK.lock().unwrap_or_else(PoisonError::into_inner)
  }

  fn unknown_host(err: Error, syscall: &'static str) -> Error {
    match err {
      Error::Gai { code, .. } if code == c::EAI_NONAME || code == c::EAI_FAMILY => Error::NotFound {
        message: "Unknown host".to_string(),
        syscall,
      },
      other => other,
    }
  }

  pub(super) fn host_by_name(name: &CStr) -> Result<HostTuple> {
    let list = raw_getaddrinfo(Some(name), None, c::AF_INET, c::SOCK_STREAM, 0, c::AI_CANONNAME)
      .map_err(|e| unknown_host(e, "gethostbyname"))?;
    let mut canonical = None;
    let mut addresses: Vec<String> = Vec::new();
    for entry in list.iter() {
      if canonical.is_none() && !entry.ai_canonname.is_null() {
        // SAFETY: ai_canonname is a valid C string while the list lives.
        canonical = Some(
          unsafe { CStr::from_ptr(entry.ai_canonname) }
            .to_string_lossy()
            .into_owned(),
        );
      }
      if let Some((ip, _)) = ip_of(entry) {
        let text = ip.to_string();
        if !addresses.contains(&text) {
          addresses.push(text);
        }
      }
    }
    let name = canonical.unwrap_or_else(|| name.to_string_lossy().into_owned());
    Ok((name, Vec::new(), addresses))
  }

  pub(super) fn host_by_addr(ip: IpAddr) -> Result<HostTuple> {
    let addr = SockAddr::from(SocketAddr::new(ip, 0));
    let mut host_buf: [c_char; 1025] = [0; 1025];
    // SAFETY: `addr` is a valid socket address of its length; the buffer is writable.
    let rc = unsafe {
      c::getnameinfo(
        addr.as_ptr().cast(),
        addr.len(),
        host_buf.as_mut_ptr(),
        host_buf.len() as _,
        ptr::null_mut(),
        0,
        c::NI_NAMEREQD as _,
      )
    };
    if rc != 0 {
      return Err(unknown_host(super::gai_error(rc, "gethostbyaddr"), "gethostbyaddr"));
    }
    // SAFETY: on success the buffer holds a NUL-terminated string.
    let name = unsafe { CStr::from_ptr(host_buf.as_ptr()) }
      .to_string_lossy()
      .into_owned();
    let text = match ip {
      IpAddr::V4(v4) => v4.to_string(),
      IpAddr::V6(v6) => crate::inet::inet_ntop(c::AF_INET6, &v6.octets())?,
    };
    Ok((name, Vec::new(), vec![text]))
  }

  pub(super) fn serv_by_name(name: &CStr, proto: Option<&CStr>) -> Result<Option<u16>> {
    let _guard = db_lock();
    // SAFETY: the strings are NUL-terminated or NULL; the static result is read under
    // the lock.
    let ent = unsafe { c::getservbyname(name.as_ptr(), proto.map_or(ptr::null(), CStr::as_ptr)) };
    if ent.is_null() {
      return Ok(None);
    }
    // SAFETY: non-NULL results point to a filled servent.
    Ok(Some(u16::from_be(unsafe { (*ent).s_port } as u16)))
  }

  pub(super) fn serv_by_port(port: u16, proto: Option<&CStr>) -> Result<Option<String>> {
    let _guard = db_lock();
    // SAFETY: proto is NUL-terminated or NULL; the static result is read under the lock.
    let ent = unsafe { c::getservbyport(port.to_be().into(), proto.map_or(ptr::null(), CStr::as_ptr)) };
    // SAFETY: non-NULL results point to a filled servent.
    if ent.is_null() || unsafe { (*ent).s_name }.is_null() {
      return Ok(None);
    }
    // SAFETY: s_name is a valid C string.
    Ok(Some(
      unsafe { CStr::from_ptr((*ent).s_name) }.to_string_lossy().into_owned(),
    ))
  }

  pub(super) fn proto_by_name(name: &CStr) -> Result<Option<i32>> {
    let _guard = db_lock();
    // SAFETY: `name` is NUL-terminated; the static result is read under the lock.
    let ent = unsafe { c::getprotobyname(name.as_ptr()) };
    if ent.is_null() {
      return Ok(None);
    }
    // SAFETY: non-NULL results point to a filled protoent.
    #[allow(clippy::useless_conversion)] // p_proto is a c_short on some targets
    let proto = i32::from(unsafe { (*ent).p_proto });
    Ok(Some(proto))
  }
}

// The unit tests pin Linux/glibc behaviour and use libc directly.
#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;
  use crate::error::ArgKind;
  use std::net::{SocketAddrV4, SocketAddrV6};

  /// glibc's `EAI_ADDRFAMILY` (a GNU extension the libc crate does not export).
  const EAI_ADDRFAMILY: i32 = -9;

  fn gai(code: i32) -> Error {
    Error::Gai {
      code,
      syscall: "getaddrinfo",
    }
  }

  fn is_arg_value(err: &Error, text: &str) -> bool {
    matches!(err, Error::Arg { kind: ArgKind::Type, code: "ERR_INVALID_ARG_VALUE", message } if message == text)
  }

  fn v4(entry: &AddrInfo) -> SocketAddrV4 {
    entry.addr.as_socket_ipv4().unwrap()
  }

  #[test]
  fn getaddrinfo_localhost_gives_three_socktypes() {
    let list = getaddrinfo(Some("localhost"), Some("80"), 0, 0, 0, 0).unwrap();
    let got: Vec<_> = list
      .iter()
      .map(|e| (e.family, e.socktype, e.protocol, e.canonname.as_str()))
      .collect();
    assert_eq!(
      got,
      vec![
        (libc::AF_INET, libc::SOCK_STREAM, libc::IPPROTO_TCP, ""),
        (libc::AF_INET, libc::SOCK_DGRAM, libc::IPPROTO_UDP, ""),
        (libc::AF_INET, libc::SOCK_RAW, 0, ""),
      ]
    );
    for entry in &list {
      assert_eq!(v4(entry), "127.0.0.1:80".parse().unwrap());
      assert_eq!(entry.addr.len() as usize, mem::size_of::<libc::sockaddr_in>());
    }
    let no_port = getaddrinfo(Some("localhost"), None, 0, 0, 0, 0).unwrap();
    assert_eq!(v4(&no_port[0]), "127.0.0.1:0".parse().unwrap());
  }

  #[test]
  fn getaddrinfo_canonname_only_on_first_entry() {
    let list = getaddrinfo(Some("localhost"), Some("80"), 0, 0, 0, libc::AI_CANONNAME).unwrap();
    assert_eq!(list[0].canonname, "localhost");
    assert!(list[1..].iter().all(|e| e.canonname.is_empty()));
  }

  #[test]
  fn getaddrinfo_null_host() {
    let loopback = getaddrinfo(None, Some("80"), 0, libc::SOCK_STREAM, 0, 0).unwrap();
    let ips: Vec<_> = loopback.iter().map(|e| e.addr.as_socket().unwrap().ip()).collect();
    assert!(ips.contains(&"127.0.0.1".parse::<IpAddr>().unwrap()), "{ips:?}");
    let passive = getaddrinfo(None, Some("80"), 0, libc::SOCK_STREAM, 0, libc::AI_PASSIVE).unwrap();
    let ips: Vec<_> = passive.iter().map(|e| e.addr.as_socket().unwrap().ip()).collect();
    assert!(ips.contains(&"0.0.0.0".parse::<IpAddr>().unwrap()), "{ips:?}");
  }

  #[test]
  fn getaddrinfo_numeric_forms() {
    let list = getaddrinfo(Some("1.2.3"), Some("7"), libc::AF_INET, libc::SOCK_DGRAM, 0, 0).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(v4(&list[0]), "1.2.0.3:7".parse().unwrap());
    let list = getaddrinfo(Some("127.0.0.1"), Some("http"), 0, libc::SOCK_STREAM, 0, 0).unwrap();
    assert_eq!(v4(&list[0]).port(), 80);
    let list = getaddrinfo(Some("FF02::8D"), Some("1"), libc::AF_INET6, libc::SOCK_DGRAM, 0, 0).unwrap();
    let six = list[0].addr.as_socket_ipv6().unwrap();
    assert_eq!(six.ip().to_string(), "ff02::8d");
    assert_eq!(list[0].addr.len() as usize, mem::size_of::<libc::sockaddr_in6>());
  }

  #[test]
  fn getaddrinfo_scope_id() {
    let list = getaddrinfo(Some("fe80::1%lo"), Some("80"), libc::AF_INET6, libc::SOCK_STREAM, 0, 0).unwrap();
    let six: SocketAddrV6 = list[0].addr.as_socket_ipv6().unwrap();
    assert_eq!(six.scope_id(), 1);
    assert_eq!(six.flowinfo(), 0);
    assert_eq!(six.port(), 80);
  }

  #[test]
  fn getaddrinfo_failures() {
    let call = |host: Option<&str>, port: Option<&str>, family, socktype, flags| {
      getaddrinfo(host, port, family, socktype, 0, flags).unwrap_err()
    };
    assert_eq!(
      call(Some("nosuchhost.invalid"), Some("80"), 0, 0, 0),
      gai(libc::EAI_NONAME)
    );
    assert_eq!(call(Some(""), Some("80"), 0, 0, 0), gai(libc::EAI_NONAME));
    assert_eq!(call(None, None, 0, 0, 0), gai(libc::EAI_NONAME));
    assert_eq!(
      call(Some("127.0.0.1"), Some("nosuchservice"), 0, 0, 0),
      gai(libc::EAI_SERVICE)
    );
    assert_eq!(
      call(Some("127.0.0.1"), Some("80"), libc::AF_INET6, 0, 0),
      gai(EAI_ADDRFAMILY)
    );
    assert_eq!(call(Some("127.0.0.1"), Some("80"), 9999, 0, 0), gai(libc::EAI_FAMILY));
    assert_eq!(
      call(Some("127.0.0.1"), Some("80"), libc::AF_UNIX, 0, 0),
      gai(libc::EAI_FAMILY)
    );
    assert_eq!(call(Some("127.0.0.1"), Some("80"), 0, 9999, 0), gai(libc::EAI_SOCKTYPE));
    assert_eq!(
      call(Some("127.0.0.1"), Some("80"), 0, libc::SOCK_RAW, 0),
      gai(libc::EAI_SERVICE)
    );
    assert_eq!(call(Some("127.0.0.1"), Some("80"), 0, 0, -1), gai(libc::EAI_BADFLAGS));
    assert_eq!(
      call(Some("localhost"), Some("80"), 0, 0, libc::AI_NUMERICHOST),
      gai(libc::EAI_NONAME)
    );
    assert_eq!(
      call(Some("localhost"), Some("80"), libc::AF_INET6, 0, 0),
      gai(libc::EAI_NONAME)
    );
    assert!(is_arg_value(
      &call(Some("a\0b"), Some("80"), 0, 0, 0),
      "embedded null character"
    ));
    assert!(is_arg_value(
      &call(Some("a"), Some("8\x000"), 0, 0, 0),
      "embedded null character"
    ));
  }

  #[test]
  fn gai_strerror_texts() {
    assert_eq!(gai_strerror(libc::EAI_NONAME), "Name or service not known");
    assert_eq!(
      gai_strerror(EAI_ADDRFAMILY),
      "Address family for hostname not supported"
    );
    assert_eq!(
      gai_strerror(libc::EAI_SERVICE),
      "Servname not supported for ai_socktype"
    );
    assert_eq!(gai(libc::EAI_NONAME).to_string(), "Name or service not known");
  }

  #[test]
  fn getnameinfo_numeric_and_named() {
    let numeric = libc::NI_NUMERICHOST | libc::NI_NUMERICSERV;
    assert_eq!(
      getnameinfo("127.0.0.1", 80, None, None, numeric).unwrap(),
      ("127.0.0.1".into(), "80".into())
    );
    assert_eq!(
      getnameinfo("127.0.0.1", 80, None, None, 0).unwrap(),
      ("localhost".into(), "http".into())
    );
    assert_eq!(
      getnameinfo("1.2.3", 80, None, None, libc::NI_NUMERICHOST).unwrap(),
      ("1.2.0.3".into(), "http".into())
    );
    assert_eq!(
      getnameinfo("::1", 80, Some(0), Some(0), 0).unwrap(),
      ("::1".into(), "http".into())
    );
    assert_eq!(
      getnameinfo("::1", 80, None, None, 0).unwrap(),
      ("::1".into(), "http".into())
    );
    assert_eq!(
      getnameinfo("::1", 80, Some(0xf_ffff), None, numeric).unwrap(),
      ("::1".into(), "80".into())
    );
  }

  #[test]
  fn getnameinfo_scope_ids() {
    let flags = libc::NI_NUMERICHOST;
    assert_eq!(getnameinfo("fe80::1", 80, Some(0), Some(1), 0).unwrap().0, "fe80::1%lo");
    assert_eq!(
      getnameinfo("fe80::1", 80, Some(0), Some(4242), flags).unwrap().0,
      "fe80::1%4242"
    );
    // The tuple's scope id (default 0) wins over the one in the string, as in CPython.
    assert_eq!(getnameinfo("fe80::1%lo", 80, None, None, flags).unwrap().0, "fe80::1");
    assert_eq!(
      getnameinfo("fe80::1%lo", 80, Some(0), Some(0), flags).unwrap().0,
      "fe80::1"
    );
    assert_eq!(
      getnameinfo("fe80::1%lo", 80, Some(0), Some(1), flags).unwrap().0,
      "fe80::1%lo"
    );
  }

  #[test]
  fn getnameinfo_failures() {
    let err = getnameinfo("127.0.0.1", 80, Some(0), Some(0), 0).unwrap_err();
    assert!(is_arg_value(&err, "IPv4 sockaddr must be 2 tuple"), "{err:?}");
    let err = getnameinfo("127.0.0.1", 80, Some(0), None, 0).unwrap_err();
    assert!(is_arg_value(&err, "IPv4 sockaddr must be 2 tuple"), "{err:?}");
    assert_eq!(getnameinfo("localhost", 80, None, None, 0), Err(gai(libc::EAI_NONAME)));
    assert_eq!(
      getnameinfo("::1", 80, Some(1 << 20), None, 0),
      Err(Error::out_of_range("getnameinfo(): flowinfo must be 0-1048575."))
    );
    let err = getnameinfo("127.0.0.1\0", 80, None, None, 0).unwrap_err();
    assert!(is_arg_value(&err, "embedded null character"), "{err:?}");
    // TEST-NET-3 has no PTR record and is not in /etc/hosts.
    assert_eq!(
      getnameinfo("203.0.113.7", 80, None, None, libc::NI_NAMEREQD),
      Err(Error::Gai {
        code: libc::EAI_NONAME,
        syscall: "getnameinfo"
      })
    );
  }

  #[test]
  fn resolve_ip_fast_paths() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(resolve_ip("", libc::AF_INET).unwrap(), (ip("0.0.0.0"), 0));
    assert_eq!(resolve_ip("", libc::AF_INET6).unwrap(), (ip("::"), 0));
    assert_eq!(
      resolve_ip("<broadcast>", libc::AF_INET).unwrap(),
      (ip("255.255.255.255"), 0)
    );
    assert_eq!(
      resolve_ip("255.255.255.255", libc::AF_INET).unwrap(),
      (ip("255.255.255.255"), 0)
    );
    assert_eq!(resolve_ip("10.1.2.3", libc::AF_INET).unwrap(), (ip("10.1.2.3"), 0));
    assert_eq!(
      resolve_ip("2001:db8::1", libc::AF_INET6).unwrap(),
      (ip("2001:db8::1"), 0)
    );
    assert_eq!(
      resolve_ip("::ffff:1.2.3.4", libc::AF_INET6).unwrap(),
      (ip("::ffff:1.2.3.4"), 0)
    );
    assert_eq!(resolve_ip("10.1.2.3", libc::AF_UNSPEC).unwrap(), (ip("10.1.2.3"), 0));
    assert_eq!(resolve_ip("::1", libc::AF_UNSPEC).unwrap(), (ip("::1"), 0));
  }

  #[test]
  fn resolve_ip_through_getaddrinfo() {
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(resolve_ip("localhost", libc::AF_INET).unwrap(), (ip("127.0.0.1"), 0));
    assert_eq!(resolve_ip("LOCALHOST", libc::AF_UNSPEC).unwrap(), (ip("127.0.0.1"), 0));
    assert_eq!(resolve_ip("127.1", libc::AF_INET).unwrap(), (ip("127.0.0.1"), 0));
    assert_eq!(resolve_ip("0x7f.1", libc::AF_INET).unwrap(), (ip("127.0.0.1"), 0));
    assert_eq!(resolve_ip("fe80::1%lo", libc::AF_INET6).unwrap(), (ip("fe80::1"), 1));
    assert_eq!(resolve_ip("fe80::1%1", libc::AF_INET6).unwrap(), (ip("fe80::1"), 1));
  }

  #[test]
  fn resolve_ip_failures() {
    assert_eq!(resolve_ip("127.0.0.1", libc::AF_INET6), Err(gai(EAI_ADDRFAMILY)));
    assert_eq!(resolve_ip("::1", libc::AF_INET), Err(gai(EAI_ADDRFAMILY)));
    assert_eq!(resolve_ip("localhost", libc::AF_INET6), Err(gai(libc::EAI_NONAME)));
    assert_eq!(
      resolve_ip("nosuchhost.invalid", libc::AF_INET),
      Err(gai(libc::EAI_NONAME))
    );
    assert_eq!(resolve_ip(" 1.2.3.4", libc::AF_INET), Err(gai(libc::EAI_NONAME)));
    assert_eq!(resolve_ip("1.2.3.4 junk", libc::AF_INET), Err(gai(libc::EAI_NONAME)));
    assert_eq!(resolve_ip("1.2.3.4", libc::AF_UNIX), Err(gai(libc::EAI_FAMILY)));
    for host in ["<broadcast>", "255.255.255.255"] {
      let err = resolve_ip(host, libc::AF_INET6).unwrap_err();
      assert!(is_arg_value(&err, "address family mismatched"), "{err:?}");
    }
    let err = resolve_ip("", libc::AF_UNSPEC).unwrap_err();
    assert!(is_arg_value(&err, "wildcard resolved to multiple address"), "{err:?}");
    let err = resolve_ip("local\0host", libc::AF_INET).unwrap_err();
    assert!(is_arg_value(&err, "embedded null character"), "{err:?}");
    let long = "a".repeat(300) + "\0";
    assert!(is_arg_value(
      &resolve_ip(&long, libc::AF_INET).unwrap_err(),
      "embedded null character"
    ));
    let long = format!("{}.invalid", "a.".repeat(150));
    assert!(matches!(resolve_ip(&long, libc::AF_INET), Err(Error::Gai { .. })));
  }

  #[test]
  fn gethostbyname_cases() {
    assert_eq!(gethostbyname("localhost").unwrap(), "127.0.0.1");
    assert_eq!(gethostbyname("LOCALHOST").unwrap(), "127.0.0.1");
    assert_eq!(gethostbyname("").unwrap(), "0.0.0.0");
    assert_eq!(gethostbyname("<broadcast>").unwrap(), "255.255.255.255");
    assert_eq!(gethostbyname("1.2.3").unwrap(), "1.2.0.3");
    assert_eq!(gethostbyname("0x7f.1").unwrap(), "127.0.0.1");
    assert_eq!(gethostbyname("::1"), Err(gai(EAI_ADDRFAMILY)));
    assert_eq!(gethostbyname("nosuchhost.invalid"), Err(gai(libc::EAI_NONAME)));
    assert!(is_arg_value(
      &gethostbyname("a\0").unwrap_err(),
      "embedded null character"
    ));
  }

  fn tuple(name: &str, aliases: &[&str], addrs: &[&str]) -> (String, Vec<String>, Vec<String>) {
    (
      name.to_string(),
      aliases.iter().map(|s| s.to_string()).collect(),
      addrs.iter().map(|s| s.to_string()).collect(),
    )
  }

  #[test]
  fn gethostbyname_ex_cases() {
    assert_eq!(
      gethostbyname_ex("localhost").unwrap(),
      tuple("localhost", &[], &["127.0.0.1"])
    );
    assert_eq!(
      gethostbyname_ex("LOCALHOST").unwrap(),
      tuple("localhost", &[], &["127.0.0.1"])
    );
    assert_eq!(
      gethostbyname_ex("127.0.0.1").unwrap(),
      tuple("127.0.0.1", &[], &["127.0.0.1"])
    );
    assert_eq!(gethostbyname_ex("::1"), Err(gai(EAI_ADDRFAMILY)));
    assert_eq!(gethostbyname_ex("nosuchhost.invalid"), Err(gai(libc::EAI_NONAME)));
    assert!(is_arg_value(
      &gethostbyname_ex("a\0").unwrap_err(),
      "embedded null character"
    ));
  }

  #[cfg(all(target_os = "linux", target_env = "gnu"))]
  #[test]
  fn gethostbyname_ex_glibc_quirks() {
    assert_eq!(gethostbyname_ex("1.2.3").unwrap(), tuple("1.2.3", &[], &["1.2.0.3"]));
    assert_eq!(gethostbyname_ex("127.1").unwrap(), tuple("127.1", &[], &["127.0.0.1"]));
    let server_error = Err(Error::NotFound {
      message: "Unknown server error".into(),
      syscall: "gethostbyname",
    });
    assert_eq!(gethostbyname_ex(""), server_error);
    // CPython reads the thread's stale global h_errno here (herror(0, ...) in a fresh
    // process); gethostbyname_r's own h_errno says HOST_NOT_FOUND.
    let unknown = Err(Error::NotFound {
      message: "Unknown host".into(),
      syscall: "gethostbyname",
    });
    assert_eq!(gethostbyname_ex("<broadcast>"), unknown);
    assert_eq!(gethostbyname_ex("0x7f.1"), unknown);
  }

  #[test]
  fn gethostbyaddr_cases() {
    let unknown = Err(Error::NotFound {
      message: "Unknown host".into(),
      syscall: "gethostbyaddr",
    });
    assert_eq!(
      gethostbyaddr("127.0.0.1").unwrap(),
      tuple("localhost", &[], &["127.0.0.1"])
    );
    assert_eq!(
      gethostbyaddr("localhost").unwrap(),
      tuple("localhost", &[], &["127.0.0.1"])
    );
    // /etc/hosts maps localhost to 127.0.0.1 only, and these have no PTR record.
    assert_eq!(gethostbyaddr("::1"), unknown);
    assert_eq!(gethostbyaddr("203.0.113.7"), unknown);
    assert_eq!(gethostbyaddr("2001:db8::7"), unknown);
    assert_eq!(gethostbyaddr("nosuchhost.invalid"), Err(gai(libc::EAI_NONAME)));
    let err = gethostbyaddr("").unwrap_err();
    assert!(is_arg_value(&err, "wildcard resolved to multiple address"), "{err:?}");
  }

  #[test]
  fn getfqdn_never_fails() {
    assert_eq!(getfqdn("localhost"), "localhost");
    assert_eq!(getfqdn("  127.0.0.1 "), "localhost");
    assert_eq!(getfqdn("nosuchhost.invalid"), "nosuchhost.invalid");
    assert_eq!(getfqdn(" nosuchhost.invalid\n"), "nosuchhost.invalid");
    assert_eq!(getfqdn("a\0b"), "a\0b");
    let own = getfqdn("");
    assert!(!own.is_empty());
    assert_eq!(getfqdn("0.0.0.0"), own);
    assert_eq!(getfqdn("::"), own);
  }

  #[test]
  fn hostname_is_readable() {
    let name = gethostname().unwrap();
    assert!(!name.is_empty());
    assert!(!name.contains('\0'));
    // Only compiled, never called: it would change the machine's name.
    let _set: fn(&[u8]) -> Result<()> = sethostname;
  }

  #[test]
  fn services_database() {
    assert_eq!(getservbyname("http", Some("tcp")).unwrap(), 80);
    assert_eq!(getservbyname("http", None).unwrap(), 80);
    assert_eq!(getservbyname("domain", Some("udp")).unwrap(), 53);
    assert_eq!(getservbyport(80, None).unwrap(), "http");
    assert_eq!(getservbyport(53, Some("udp")).unwrap(), "domain");
    let no_service = Err(Error::NotFound {
      message: "service/proto not found".into(),
      syscall: "getservbyname",
    });
    assert_eq!(getservbyname("nosuchservice", None), no_service);
    assert_eq!(getservbyname("http", Some("xyz")), no_service);
    let no_port = Err(Error::NotFound {
      message: "port/proto not found".into(),
      syscall: "getservbyport",
    });
    assert_eq!(getservbyport(0, None), no_port);
    assert_eq!(getservbyport(65535, None), no_port);
    assert_eq!(getservbyport(80, Some("xyz")), no_port);
    assert!(is_arg_value(
      &getservbyname("ht\0tp", None).unwrap_err(),
      "embedded null character"
    ));
    assert!(is_arg_value(
      &getservbyport(80, Some("t\0cp")).unwrap_err(),
      "embedded null character"
    ));
  }

  #[test]
  fn protocols_database() {
    assert_eq!(getprotobyname("udp").unwrap(), 17);
    assert_eq!(getprotobyname("tcp").unwrap(), 6);
    assert_eq!(getprotobyname("TCP").unwrap(), 6);
    assert_eq!(getprotobyname("icmp").unwrap(), 1);
    assert_eq!(getprotobyname("ipv6-icmp").unwrap(), 58);
    assert_eq!(
      getprotobyname("nosuchprotocol"),
      Err(Error::NotFound {
        message: "protocol not found".into(),
        syscall: "getprotobyname"
      })
    );
    assert!(is_arg_value(
      &getprotobyname("u\0dp").unwrap_err(),
      "embedded null character"
    ));
  }

  #[test]
  fn portable_fallbacks_agree() {
    let c = |s: &str| CString::new(s).unwrap();
    for (name, proto) in [
      ("http", Some("tcp")),
      ("http", None),
      ("domain", Some("udp")),
      ("nosuch", None),
    ] {
      let proto = proto.map(c);
      assert_eq!(
        portable::serv_by_name(&c(name), proto.as_deref()).unwrap(),
        db::serv_by_name(&c(name), proto.as_deref()).unwrap()
      );
    }
    for (port, proto) in [(80, None), (53, Some("udp")), (0, None), (80, Some("xyz"))] {
      let proto = proto.map(c);
      assert_eq!(
        portable::serv_by_port(port, proto.as_deref()).unwrap(),
        db::serv_by_port(port, proto.as_deref()).unwrap()
      );
    }
    for name in ["udp", "tcp", "TCP", "nosuch"] {
      assert_eq!(
        portable::proto_by_name(&c(name)).unwrap(),
        db::proto_by_name(&c(name)).unwrap()
      );
    }
    assert_eq!(
      portable::host_by_name(&c("localhost")).unwrap(),
      tuple("localhost", &[], &["127.0.0.1"])
    );
    assert_eq!(
      portable::host_by_addr("127.0.0.1".parse().unwrap()).unwrap(),
      tuple("localhost", &[], &["127.0.0.1"])
    );
    assert_eq!(
      portable::host_by_addr("203.0.113.7".parse().unwrap()),
      Err(Error::NotFound {
        message: "Unknown host".into(),
        syscall: "gethostbyaddr"
      })
    );
  }

  #[test]
  fn lookups_run_on_many_threads() {
    let handles: Vec<_> = (0..8)
      .map(|i| {
        std::thread::spawn(move || {
          for _ in 0..50 {
            assert_eq!(getservbyname("http", Some("tcp")).unwrap(), 80);
            assert_eq!(getservbyport(53, Some("udp")).unwrap(), "domain");
            assert_eq!(getprotobyname("udp").unwrap(), 17);
            assert_eq!(gethostbyname_ex("localhost").unwrap().2, vec!["127.0.0.1".to_string()]);
            assert_eq!(gethostbyaddr("127.0.0.1").unwrap().0, "localhost");
            assert_eq!(
              resolve_ip(&format!("10.0.0.{i}"), libc::AF_INET).unwrap().0.to_string(),
              format!("10.0.0.{i}")
            );
          }
        })
      })
      .collect();
    for handle in handles {
      handle.join().unwrap();
    }
  }
}
