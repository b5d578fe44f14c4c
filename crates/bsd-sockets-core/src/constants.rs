//! The platform's socket constants by name, with values taken from its C headers.
//!
//! Code that speaks to the kernel needs the numbers of the machine it runs on:
//! `SO_REUSEPORT` is 15 on x86_64 Linux, 0x200 on macOS and 512 on PowerPC Linux,
//! and a name that does not exist must stay absent instead of getting a guessed value.
//! So `build.rs` compiles a small C table for the target from the names listed in
//! `constants/names.txt`, and this module is the safe view of that table.
//!
//! Two tables are kept apart: the constants CPython's `socket` module would export
//! (plus the ones bsd-sockets needs beyond it), and the errno names, which exist to
//! turn an error number back into `ECONNREFUSED` and are not socket constants.

use std::collections::{HashMap, HashSet};
use std::ffi::{c_char, c_longlong, CStr};
use std::ptr;
use std::sync::OnceLock;

/// One row of a C table, laid out as `struct bsd_sockets_core_const` in build.rs.
#[repr(C)]
#[derive(Clone, Copy)]
struct RawConst {
  name: *const c_char,
  value: c_longlong,
}

unsafe extern "C" {
  fn bsd_sockets_core_constants_v1(out: *mut RawConst, cap: usize) -> usize;
  fn bsd_sockets_core_errno_v1(out: *mut RawConst, cap: usize) -> usize;
}

/// Signature shared by the generated C functions.
type FillFn = unsafe extern "C" fn(*mut RawConst, usize) -> usize;

/// Copies a generated C table into Rust, dropping any repeated name (the first wins,
/// as in names.txt) so lookups by name are unambiguous.
fn load(fill: FillFn) -> Vec<(&'static str, i64)> {
  // SAFETY: with `cap == 0` the function writes nothing and only returns the count.
  let count = unsafe { fill(ptr::null_mut(), 0) };
  let mut raw = vec![
    RawConst {
      name: ptr::null(),
      value: 0
    };
    count
  ];
  // SAFETY: `raw` has room for `raw.len()` rows and the function writes at most `cap`.
  let written = unsafe { fill(raw.as_mut_ptr(), raw.len()) };
  raw.truncate(written);

  let mut seen = HashSet::with_capacity(raw.len());
  raw
    .into_iter()
    .filter(|row| !row.name.is_null())
    .filter_map(|row| {
      // SAFETY: every name is a C string literal in the generated table: static
      // storage, NUL-terminated, never freed or written to.
      let name: &'static CStr = unsafe { CStr::from_ptr(row.name) };
      let name = name.to_str().ok()?;
      seen.insert(name).then_some((name, row.value))
    })
    .collect()
}

/// The constants table, converted from C once.
fn constants() -> &'static [(&'static str, i64)] {
  static TABLE: OnceLock<Vec<(&'static str, i64)>> = OnceLock::new();
  TABLE.get_or_init(|| load(bsd_sockets_core_constants_v1))
}

/// Name lookup over [`constants`]; callers look names up far more often than they list them.
fn constants_by_name() -> &'static HashMap<&'static str, i64> {
  static INDEX: OnceLock<HashMap<&'static str, i64>> = OnceLock::new();
  INDEX.get_or_init(|| constants().iter().copied().collect())
}

/// The errno table in both directions.
struct ErrnoIndex {
  list: Vec<(&'static str, i32)>,
  by_value: HashMap<i32, &'static str>,
  by_name: HashMap<&'static str, i32>,
}

/// Builds the errno index once; for a value with several names, the first in
/// names.txt (the canonical POSIX one) is the one reported.
fn errno_index() -> &'static ErrnoIndex {
  static INDEX: OnceLock<ErrnoIndex> = OnceLock::new();
  INDEX.get_or_init(|| {
    let list: Vec<(&'static str, i32)> = load(bsd_sockets_core_errno_v1)
      .into_iter()
      .filter_map(|(name, value)| Some((name, i32::try_from(value).ok()?)))
      .collect();
    let mut by_value = HashMap::new();
    let mut by_name = HashMap::new();
    for &(name, value) in &list {
      by_value.entry(value).or_insert(name);
      by_name.insert(name, value);
    }
    ErrnoIndex {
      list,
      by_value,
      by_name,
    }
  })
}

/// Every socket constant the target's headers define, in names.txt order, so a
/// binding can publish exactly the platform's set (`'SO_REUSEPORT' in constants`
/// must be false where the option does not exist) and build its enum-like
/// lookup tables with canonical names first.
///
/// errno names are not included, except `EBADF`, `EAGAIN` and `EWOULDBLOCK`, which
/// CPython's socket module exports too.
pub fn all() -> &'static [(&'static str, i64)] {
  constants()
}

/// The value of one socket constant on this platform, or `None` where the platform
/// lacks it, so callers can refuse an option instead of passing a wrong number.
pub fn get(name: &str) -> Option<i64> {
  constants_by_name().get(name).copied()
}

/// The symbolic name of an errno value, for error codes and messages that say
/// `ECONNREFUSED` rather than 111 (which differs between platforms).
///
/// Where several names share a value the canonical one is returned: `EAGAIN` rather
/// than `EWOULDBLOCK`, `EDEADLK` rather than `EDEADLOCK`, and `ENOTSUP` rather than
/// `EOPNOTSUPP` (as Python's `errno.errorcode` and Node's `util.getSystemErrorName` do).
pub fn errno_name(errno: i32) -> Option<&'static str> {
  errno_index().by_value.get(&errno).copied()
}

/// The errno value a name stands for on this platform (aliases included), so code
/// can compare against a symbolic error portably.
pub fn errno_value(name: &str) -> Option<i32> {
  errno_index().by_name.get(name).copied()
}

/// Every errno name the platform defines, aliases included, in names.txt order (so
/// a canonical name comes before its aliases), for bindings that publish the whole
/// table at once, such as a value-to-name map for JavaScript.
pub fn errno_all() -> &'static [(&'static str, i32)] {
  &errno_index().list
}

/// The `EAI_*` name of a getaddrinfo(3)/getnameinfo(3) error code, for `gaierror`
/// codes; those codes live in their own number space (negative on glibc) and must
/// not be looked up as errno values.
pub fn gai_name(code: i32) -> Option<&'static str> {
  constants()
    .iter()
    .find(|&&(name, value)| name.starts_with("EAI_") && name != "EAI_MAX" && value == i64::from(code))
    .map(|&(name, _)| name)
}

// The unit tests pin Linux/glibc behaviour and use libc directly.
#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;

  #[cfg(unix)]
  #[test]
  fn values_match_libc() {
    assert_eq!(get("AF_INET"), Some(i64::from(libc::AF_INET)));
    assert_eq!(get("AF_INET6"), Some(i64::from(libc::AF_INET6)));
    assert_eq!(get("AF_UNIX"), Some(i64::from(libc::AF_UNIX)));
    assert_eq!(get("SOCK_STREAM"), Some(i64::from(libc::SOCK_STREAM)));
    assert_eq!(get("SOCK_DGRAM"), Some(i64::from(libc::SOCK_DGRAM)));
    assert_eq!(get("SOL_SOCKET"), Some(i64::from(libc::SOL_SOCKET)));
    assert_eq!(get("SO_REUSEADDR"), Some(i64::from(libc::SO_REUSEADDR)));
    assert_eq!(get("SO_RCVBUF"), Some(i64::from(libc::SO_RCVBUF)));
    assert_eq!(get("IPPROTO_TCP"), Some(i64::from(libc::IPPROTO_TCP)));
    assert_eq!(get("IPPROTO_IPV6"), Some(i64::from(libc::IPPROTO_IPV6)));
    assert_eq!(get("TCP_NODELAY"), Some(i64::from(libc::TCP_NODELAY)));
    assert_eq!(get("IPV6_V6ONLY"), Some(i64::from(libc::IPV6_V6ONLY)));
    assert_eq!(get("MSG_PEEK"), Some(i64::from(libc::MSG_PEEK)));
    assert_eq!(get("AI_PASSIVE"), Some(i64::from(libc::AI_PASSIVE)));
    assert_eq!(get("NI_NUMERICHOST"), Some(i64::from(libc::NI_NUMERICHOST)));
    assert_eq!(get("EAI_NONAME"), Some(i64::from(libc::EAI_NONAME)));
    assert_eq!(get("SHUT_RDWR"), Some(i64::from(libc::SHUT_RDWR)));
    assert_eq!(get("SOMAXCONN"), Some(i64::from(libc::SOMAXCONN)));
    assert_eq!(get("EBADF"), Some(i64::from(libc::EBADF)));
    assert_eq!(get("EAGAIN"), Some(i64::from(libc::EAGAIN)));
    assert_eq!(get("EWOULDBLOCK"), Some(i64::from(libc::EWOULDBLOCK)));
  }

  #[cfg(target_os = "linux")]
  #[test]
  fn linux_values_match_libc() {
    assert_eq!(get("AF_NETLINK"), Some(i64::from(libc::AF_NETLINK)));
    assert_eq!(get("AF_PACKET"), Some(i64::from(libc::AF_PACKET)));
    assert_eq!(get("SOCK_NONBLOCK"), Some(i64::from(libc::SOCK_NONBLOCK)));
    assert_eq!(get("SOCK_CLOEXEC"), Some(i64::from(libc::SOCK_CLOEXEC)));
    assert_eq!(get("SO_REUSEPORT"), Some(i64::from(libc::SO_REUSEPORT)));
    assert_eq!(get("SO_TIMESTAMPNS"), Some(i64::from(libc::SO_TIMESTAMPNS)));
    assert_eq!(get("SO_BINDTODEVICE"), Some(i64::from(libc::SO_BINDTODEVICE)));
    assert_eq!(get("IP_RECVERR"), Some(i64::from(libc::IP_RECVERR)));
    assert_eq!(get("IP_PMTUDISC_DO"), Some(i64::from(libc::IP_PMTUDISC_DO)));
    assert_eq!(get("MSG_DONTWAIT"), Some(i64::from(libc::MSG_DONTWAIT)));
    assert_eq!(get("MSG_ZEROCOPY"), Some(i64::from(libc::MSG_ZEROCOPY)));
    assert_eq!(get("ETH_P_ALL"), Some(i64::from(libc::ETH_P_ALL)));
    assert_eq!(
      get("PACKET_ADD_MEMBERSHIP"),
      Some(i64::from(libc::PACKET_ADD_MEMBERSHIP))
    );
    assert_eq!(get("NETLINK_ROUTE"), Some(i64::from(libc::NETLINK_ROUTE)));
    assert_eq!(get("SIOCGIFINDEX"), i64::try_from(libc::SIOCGIFINDEX).ok());
    assert_eq!(get("BPF_JEQ"), Some(i64::from(libc::BPF_JEQ)));
    assert_eq!(get("INADDR_NONE"), Some(0xffff_ffff));
    assert_eq!(get("SOL_IPV6"), Some(i64::from(libc::SOL_IPV6)));
    assert_eq!(get("UDP_SEGMENT"), Some(i64::from(libc::UDP_SEGMENT)));
    // Aliases resolve to the same number as their canonical name.
    assert_eq!(get("AF_ROUTE"), get("AF_NETLINK"));
    assert_eq!(get("AF_LOCAL"), get("AF_UNIX"));
    assert_eq!(get("PF_INET"), get("AF_INET"));
  }

  #[test]
  fn absent_and_errno_only_names_are_not_constants() {
    assert_eq!(get("NO_SUCH_CONSTANT"), None);
    assert_eq!(get("ECONNREFUSED"), None);
    assert!(!all().iter().any(|&(name, _)| name == "EPERM"));
  }

  #[test]
  fn names_are_unique_and_canonical_first() {
    let mut seen = HashSet::new();
    for &(name, _) in all() {
      assert!(seen.insert(name), "{name} listed twice");
    }
    let position = |wanted: &str| all().iter().position(|&(name, _)| name == wanted);
    if let (Some(unix), Some(local)) = (position("AF_UNIX"), position("AF_LOCAL")) {
      assert!(unix < local);
    }
    if let (Some(netlink), Some(route)) = (position("AF_NETLINK"), position("AF_ROUTE")) {
      assert!(netlink < route);
    }
  }

  #[cfg(unix)]
  #[test]
  fn errno_names() {
    assert_eq!(errno_name(libc::ECONNREFUSED), Some("ECONNREFUSED"));
    assert_eq!(errno_name(libc::EINTR), Some("EINTR"));
    assert_eq!(errno_name(libc::EAGAIN), Some("EAGAIN"));
    assert_eq!(errno_name(libc::EDEADLK), Some("EDEADLK"));
    assert_eq!(errno_name(libc::EADDRINUSE), Some("EADDRINUSE"));
    assert_eq!(errno_name(0), None);
    assert_eq!(errno_value("ECONNRESET"), Some(libc::ECONNRESET));
    assert_eq!(errno_value("EWOULDBLOCK"), Some(libc::EWOULDBLOCK));
    assert_eq!(errno_value("EOPNOTSUPP"), Some(libc::EOPNOTSUPP));
    assert_eq!(errno_value("NOT_AN_ERRNO"), None);
    let list = errno_all();
    let position = |wanted: &str| list.iter().position(|&(name, _)| name == wanted);
    assert!(position("EAGAIN") < position("EWOULDBLOCK"));
    assert!(list.iter().all(|&(name, value)| errno_value(name) == Some(value)));
  }

  #[cfg(target_os = "linux")]
  #[test]
  fn linux_errno_aliases() {
    assert_eq!(errno_name(libc::EWOULDBLOCK), Some("EAGAIN"));
    assert_eq!(errno_name(libc::EDEADLOCK), Some("EDEADLK"));
    assert_eq!(errno_name(libc::EOPNOTSUPP), Some("ENOTSUP"));
    assert_eq!(errno_value("EDEADLOCK"), Some(libc::EDEADLK));
    assert_eq!(errno_name(libc::EHWPOISON), Some("EHWPOISON"));
  }

  #[cfg(unix)]
  #[test]
  fn gai_names() {
    assert_eq!(gai_name(libc::EAI_NONAME), Some("EAI_NONAME"));
    assert_eq!(gai_name(libc::EAI_AGAIN), Some("EAI_AGAIN"));
    assert_eq!(gai_name(libc::EAI_SERVICE), Some("EAI_SERVICE"));
    assert_eq!(gai_name(0), None);
  }
}
