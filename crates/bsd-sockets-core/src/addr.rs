//! Socket addresses of every family we speak, in both directions:
//! [`Spec`] (what a caller asks for: host names, interface names, paths) is encoded
//! into a kernel `sockaddr`, and a kernel `sockaddr` is decoded into an [`Address`].
//! Both directions are byte-exact: AF_UNIX names keep their exact length, so abstract
//! names are never NUL-padded (the bug that makes most npm packages' abstract sockets
//! unreachable from Python).

use std::mem;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

use socket2::{SockAddr, SockAddrStorage};

use crate::error::{Error, Result};
use crate::inet;
use crate::resolve;
use crate::sys::c;

/// Longest AF_UNIX name, in bytes, including the leading NUL of an abstract name.
pub const UNIX_PATH_MAX: usize = 108;

/// An address as a caller gives it, before name resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec<'a> {
  /// AF_INET `(host, port)`; `''` is INADDR_ANY and `'<broadcast>'` INADDR_BROADCAST;
  /// other names are resolved and the first answer wins (CPython's rule).
  Inet {
    /// Numeric address or host name.
    host: &'a str,
    /// Port, host byte order.
    port: u16,
  },
  /// AF_INET6 `(host, port, flowinfo, scope_id)`.
  Inet6 {
    /// Numeric address (a `%zone` suffix sets the scope) or host name.
    host: &'a str,
    /// Port, host byte order.
    port: u16,
    /// Flow label, 0..=0xFFFFF.
    flowinfo: u32,
    /// Interface index for link-local addresses.
    scope_id: u32,
  },
  /// AF_UNIX: a path, an abstract name (leading NUL), or empty to autobind.
  Unix(&'a [u8]),
  /// AF_PACKET `(ifname, proto, pkttype, hatype, addr)`; `proto` in host byte order.
  Packet {
    /// Interface name, e.g. `lo`.
    ifname: &'a str,
    /// Ethernet protocol, host order (we apply htons, as CPython does).
    protocol: u16,
    /// Packet type (PACKET_HOST, …).
    pkttype: u8,
    /// ARP hardware type.
    hatype: u16,
    /// Hardware address, at most 8 bytes.
    addr: &'a [u8],
  },
  /// AF_NETLINK `(pid, groups)`.
  Netlink {
    /// Port id (0 lets the kernel choose on bind).
    pid: u32,
    /// Multicast group mask.
    groups: u32,
  },
}

/// An address the kernel gave back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
  /// AF_INET.
  Inet(SocketAddrV4),
  /// AF_INET6 (always with flowinfo and scope id).
  Inet6(SocketAddrV6),
  /// AF_UNIX: the exact bytes of `sun_path`; empty when unnamed; a leading NUL marks an
  /// abstract name.
  Unix(Vec<u8>),
  /// AF_PACKET.
  Packet {
    /// Interface name ('' if the index has no name any more).
    ifname: String,
    /// Ethernet protocol, host byte order.
    protocol: u16,
    /// Packet type.
    pkttype: u8,
    /// ARP hardware type.
    hatype: u16,
    /// Hardware address (`sll_halen` bytes).
    addr: Vec<u8>,
  },
  /// AF_NETLINK.
  Netlink {
    /// Port id.
    pid: u32,
    /// Multicast groups.
    groups: u32,
  },
  /// Any other family: the raw bytes after the family field.
  Other {
    /// Address family number.
    family: i32,
    /// The rest of the sockaddr.
    data: Vec<u8>,
  },
}

fn family_mismatch(family: i32, spec: &Spec<'_>) -> Error {
  let what = match spec {
    Spec::Inet { .. } => "an AF_INET address",
    Spec::Inet6 { .. } => "an AF_INET6 address",
    Spec::Unix(_) => "an AF_UNIX address",
    Spec::Packet { .. } => "an AF_PACKET address",
    Spec::Netlink { .. } => "an AF_NETLINK address",
  };
  Error::arg_type(format!("{what} was given to a socket of family {family}"))
}

/// Encodes `spec` for a socket of `family`, resolving host names.
pub fn encode(family: i32, spec: &Spec<'_>) -> Result<SockAddr> {
  match (family, spec) {
    (c::AF_INET, Spec::Inet { host, port }) => {
      let (ip, _) = resolve::resolve_ip(host, c::AF_INET)?;
      match ip {
        IpAddr::V4(ip) => Ok(SockAddr::from(SocketAddrV4::new(ip, *port))),
        IpAddr::V6(_) => Err(Error::Gai {
          code: c::EAI_FAMILY,
          syscall: "getaddrinfo",
        }),
      }
    }
    (
      c::AF_INET6,
      Spec::Inet6 {
        host,
        port,
        flowinfo,
        scope_id,
      },
    ) => {
      if *flowinfo > 0xFFFFF {
        return Err(Error::out_of_range(format!(
          "The value of \"flowinfo\" is out of range. It must be >= 0 && <= 1048575. Received {flowinfo}"
        )));
      }
      let (ip, resolved_scope) = resolve::resolve_ip(host, c::AF_INET6)?;
      let ip = match ip {
        IpAddr::V6(ip) => ip,
        IpAddr::V4(_) => {
          return Err(Error::Gai {
            code: c::EAI_FAMILY,
            syscall: "getaddrinfo",
          })
        }
      };
      // An explicit scope id wins over a `%zone` in the host, as in C code that fills
      // sin6_scope_id after getaddrinfo.
      let scope = if *scope_id != 0 { *scope_id } else { resolved_scope };
      Ok(SockAddr::from(SocketAddrV6::new(ip, *port, *flowinfo, scope)))
    }
    (c::AF_UNIX, Spec::Unix(name)) => unix(name),
    #[cfg(any(target_os = "linux", target_os = "android"))]
    (
      c::AF_PACKET,
      Spec::Packet {
        ifname,
        protocol,
        pkttype,
        hatype,
        addr,
      },
    ) => packet(ifname, *protocol, *pkttype, *hatype, addr),
    #[cfg(any(target_os = "linux", target_os = "android"))]
    (c::AF_NETLINK, Spec::Netlink { pid, groups }) => Ok(netlink(*pid, *groups)),
    _ => Err(family_mismatch(family, spec)),
  }
}

/// An AF_UNIX address of exactly `name.len()` bytes (no NUL padding, no terminator
/// counted), refusing what the kernel would silently truncate.
pub fn unix(name: &[u8]) -> Result<SockAddr> {
  let abstract_name = name.first() == Some(&0);
  if abstract_name {
    if name.len() > UNIX_PATH_MAX {
      return Err(Error::out_of_range(format!(
        "AF_UNIX abstract name too long: {} bytes, at most {UNIX_PATH_MAX} including the leading NUL",
        name.len()
      )));
    }
  } else {
    if name.contains(&0) {
      return Err(Error::arg_value(
        "AF_UNIX path must not contain NUL bytes (the kernel would truncate it)",
      ));
    }
    if name.len() >= UNIX_PATH_MAX {
      return Err(Error::out_of_range(format!(
        "AF_UNIX path too long: {} bytes, at most {} allowed",
        name.len(),
        UNIX_PATH_MAX - 1
      )));
    }
  }
  let mut storage = SockAddrStorage::zeroed();
  // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_un.
  let sun: &mut c::sockaddr_un = unsafe { storage.view_as() };
  sun.sun_family = c::AF_UNIX as c::sa_family_t;
  for (dst, src) in sun.sun_path.iter_mut().zip(name) {
    *dst = *src as c::c_char;
  }
  let base = mem::offset_of!(c::sockaddr_un, sun_path);
  // A path gets its terminating NUL counted, as C code using SUN_LEN does; an
  // abstract name is exactly its bytes; an empty name (autobind) is the family alone.
  let len = if name.is_empty() || abstract_name {
    base + name.len()
  } else {
    base + name.len() + 1
  };
  // SAFETY: storage holds a sockaddr_un initialised up to len bytes.
  Ok(unsafe { SockAddr::new(storage, len as c::socklen_t) })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn packet(ifname: &str, protocol: u16, pkttype: u8, hatype: u16, addr: &[u8]) -> Result<SockAddr> {
  if addr.len() > 8 {
    return Err(Error::out_of_range(format!(
      "AF_PACKET hardware address must be 8 bytes or less, got {}",
      addr.len()
    )));
  }
  let ifindex = match inet::if_nametoindex(ifname) {
    Ok(i) => i,
    // CPython looks the name up with SIOCGIFINDEX and reports ENODEV.
    Err(Error::NotFound { .. }) => return Err(Error::os(c::ENODEV, "bind")),
    Err(e) => return Err(e),
  };
  let mut storage = SockAddrStorage::zeroed();
  // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_ll.
  let sll: &mut c::sockaddr_ll = unsafe { storage.view_as() };
  sll.sll_family = c::AF_PACKET as u16;
  sll.sll_protocol = protocol.to_be();
  sll.sll_ifindex = ifindex as i32;
  sll.sll_pkttype = pkttype;
  sll.sll_hatype = hatype;
  sll.sll_halen = addr.len() as u8;
  sll.sll_addr[..addr.len()].copy_from_slice(addr);
  // SAFETY: a fully initialised sockaddr_ll.
  Ok(unsafe { SockAddr::new(storage, mem::size_of::<c::sockaddr_ll>() as c::socklen_t) })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn netlink(pid: u32, groups: u32) -> SockAddr {
  let mut storage = SockAddrStorage::zeroed();
  // SAFETY: sockaddr_storage is large and aligned enough for sockaddr_nl.
  let snl: &mut c::sockaddr_nl = unsafe { storage.view_as() };
  snl.nl_family = c::AF_NETLINK as u16;
  snl.nl_pid = pid;
  snl.nl_groups = groups;
  // SAFETY: a fully initialised sockaddr_nl.
  unsafe { SockAddr::new(storage, mem::size_of::<c::sockaddr_nl>() as c::socklen_t) }
}

/// Builds a `SockAddr` from raw `sockaddr` bytes (as produced by [`raw_bytes`]), so that
/// an encoded address can be cached by the caller and reused without re-resolving.
pub fn from_raw(bytes: &[u8]) -> Result<SockAddr> {
  let mut storage = SockAddrStorage::zeroed();
  if bytes.len() < 2 || bytes.len() > storage.size_of() as usize {
    return Err(Error::arg_value(format!(
      "invalid encoded socket address of {} bytes",
      bytes.len()
    )));
  }
  // SAFETY: storage is at least bytes.len() bytes long (checked above).
  unsafe {
    std::ptr::copy_nonoverlapping(
      bytes.as_ptr(),
      (&mut storage as *mut SockAddrStorage).cast::<u8>(),
      bytes.len(),
    );
    Ok(SockAddr::new(storage, bytes.len() as c::socklen_t))
  }
}

/// The raw bytes of a `SockAddr` (`len()` bytes of its storage).
pub fn raw_bytes(sa: &SockAddr) -> &[u8] {
  // SAFETY: as_ptr points to storage that is valid for at least len() bytes.
  unsafe { std::slice::from_raw_parts(sa.as_ptr().cast::<u8>(), sa.len() as usize) }
}

/// Decodes what the kernel returned. `None` when there is no address: a zero length
/// (unconnected stream peers, unbound AF_UNIX datagram senders) or AF_UNSPEC.
pub fn decode(sa: &SockAddr) -> Option<Address> {
  let len = sa.len() as usize;
  if len < mem::size_of::<c::sa_family_t>() {
    return None;
  }
  let family = sa.family() as i32;
  if let Some(v4) = sa.as_socket_ipv4() {
    return Some(Address::Inet(v4));
  }
  if let Some(v6) = sa.as_socket_ipv6() {
    return Some(Address::Inet6(v6));
  }
  let bytes = raw_bytes(sa);
  match family {
    c::AF_UNSPEC => None,
    c::AF_UNIX => {
      let base = mem::offset_of!(c::sockaddr_un, sun_path);
      let path = bytes.get(base..).unwrap_or(&[]);
      // Path names may come back with their terminator (and, from some peers, padding);
      // abstract names are exact and keep every byte.
      let path = if path.first() == Some(&0) {
        path
      } else {
        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
        &path[..end]
      };
      Some(Address::Unix(path.to_vec()))
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    c::AF_PACKET if len >= mem::offset_of!(c::sockaddr_ll, sll_addr) => {
      let mut sll: c::sockaddr_ll = unsafe_zeroed();
      copy_prefix(bytes, &mut sll);
      let halen = (sll.sll_halen as usize).min(8);
      Some(Address::Packet {
        ifname: inet::if_indextoname(sll.sll_ifindex as u32).unwrap_or_default(),
        protocol: u16::from_be(sll.sll_protocol),
        pkttype: sll.sll_pkttype,
        hatype: sll.sll_hatype,
        addr: sll.sll_addr[..halen].to_vec(),
      })
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    c::AF_NETLINK => {
      let mut snl: c::sockaddr_nl = unsafe_zeroed();
      copy_prefix(bytes, &mut snl);
      Some(Address::Netlink {
        pid: snl.nl_pid,
        groups: snl.nl_groups,
      })
    }
    _ => Some(Address::Other {
      family,
      data: bytes.get(2..).unwrap_or(&[]).to_vec(),
    }),
  }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn unsafe_zeroed<T: Copy>() -> T {
  // SAFETY: only used for libc sockaddr structs, which are plain integers and arrays.
  unsafe { mem::zeroed() }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn copy_prefix<T: Copy>(bytes: &[u8], out: &mut T) {
  let n = bytes.len().min(mem::size_of::<T>());
  // SAFETY: out is a plain-data struct of size_of::<T>() >= n bytes.
  unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), (out as *mut T).cast::<u8>(), n) }
}

/// The address family `sa` belongs to.
pub fn family_of(sa: &SockAddr) -> i32 {
  sa.family() as i32
}

/// Text of an IPv4 or IPv6 address, as `inet_ntop(3)` writes it.
pub fn ip_text(ip: IpAddr) -> String {
  match ip {
    IpAddr::V4(v4) => v4.to_string(),
    IpAddr::V6(v6) => ipv6_text(&v6),
  }
}

fn ipv6_text(v6: &Ipv6Addr) -> String {
  // glibc still renders IPv4-compatible addresses (::a.b.c.d), which Rust does not;
  // follow the C library so our output matches Python's.
  inet::inet_ntop(c::AF_INET6, &v6.octets()).unwrap_or_else(|_| v6.to_string())
}

/// The wildcard address of a family, used for `getsockname` on unbound sockets.
pub fn unspecified(family: i32) -> Option<IpAddr> {
  match family {
    c::AF_INET => Some(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
    c::AF_INET6 => Some(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    _ => None,
  }
}

// The unit tests pin Linux/glibc behaviour and use libc directly.
#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;

  #[test]
  fn abstract_names_keep_their_exact_length() {
    let sa = unix(b"\0abc").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sa.len() as usize, mem::offset_of!(libc::sockaddr_un, sun_path) + 4);
    assert_eq!(decode(&sa), Some(Address::Unix(b"\0abc".to_vec())));
  }

  #[test]
  fn unix_paths_are_checked() {
    assert!(unix(b"/tmp/a\0b").is_err());
    assert!(unix(&[b'a'; 107]).is_ok());
    assert!(unix(&[b'a'; 108]).is_err());
    let mut abs = vec![0u8; 108];
    abs[1] = b'x';
    assert!(unix(&abs).is_ok());
    abs.push(b'y');
    assert!(unix(&abs).is_err());
  }

  #[test]
  fn inet_round_trip() {
    let sa = encode(
      libc::AF_INET,
      &Spec::Inet {
        host: "127.0.0.1",
        port: 5000,
      },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
      decode(&sa),
      Some(Address::Inet(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 5000)))
    );
    let raw = raw_bytes(&sa).to_vec();
    assert_eq!(from_raw(&raw).ok(), Some(sa));
  }

  #[test]
  fn inet6_keeps_flowinfo_and_scope() {
    let sa = encode(
      libc::AF_INET6,
      &Spec::Inet6 {
        host: "::1",
        port: 1,
        flowinfo: 7,
        scope_id: 1,
      },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
      decode(&sa),
      Some(Address::Inet6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 1, 7, 1)))
    );
    assert!(encode(
      libc::AF_INET6,
      &Spec::Inet6 {
        host: "::1",
        port: 1,
        flowinfo: 0x100000,
        scope_id: 0
      }
    )
    .is_err());
  }

  #[test]
  fn family_mismatch_is_a_type_error() {
    let e = encode(
      libc::AF_UNIX,
      &Spec::Inet {
        host: "127.0.0.1",
        port: 1,
      },
    );
    assert!(matches!(e, Err(Error::Arg { .. })));
  }
}
