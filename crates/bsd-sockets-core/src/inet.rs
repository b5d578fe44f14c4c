//! Address conversion helpers (`inet_aton`, `inet_ntoa`, `inet_pton`, `inet_ntop`),
//! network interface names (`if_nameindex`, `if_nametoindex`, `if_indextoname`) and
//! the ancillary-data size macros (`CMSG_LEN`, `CMSG_SPACE`), with CPython's results
//! and error classes.
//!
//! Everything here is reentrant: no function keeps state between calls, so all of them
//! may run on any thread.

use std::ffi::{CStr, CString};
use std::net::Ipv4Addr;
use std::os::raw::{c_char, c_uint};

use crate::error::{Error, Result};
use crate::sys::{self, c};

/// The message of the error for a string argument that holds a NUL byte.
pub(crate) const NUL_MESSAGE: &str = "embedded null character";

/// The largest value CPython lets `CMSG_LEN`/`CMSG_SPACE` return (its `SOCKLEN_T_LIMIT`,
/// `INT_MAX` on Linux): observed, `CMSG_LEN(2**31 - 17)` is the largest accepted.
const CMSG_LIMIT: usize = i32::MAX as usize;

/// `inet_aton(3)`: parses the classic BSD dotted notation into 4 bytes in network order.
///
/// The rules are glibc's, implemented here without calling the C library (so they are
/// the same on every platform): one to four parts separated by `.`; each part is decimal,
/// octal with a leading `0`, or hexadecimal with `0x`/`0X`; the last part fills all the
/// remaining bytes (`"1.2.3"` → `1.2.0.3`, `"1"` → `0.0.0.1`, `"0x7f.1"` → `127.0.0.1`).
/// As with glibc and CPython, anything after the address is ignored when it starts with
/// an ASCII whitespace character (`"1.2.3.4 junk"` parses); leading whitespace is not
/// accepted.
///
/// Errors: a NUL anywhere → [`Error::arg_value`] `"embedded null character"` (CPython's
/// `ValueError`); anything else unparsable → [`Error::arg_value`] `"illegal IP address
/// string passed to inet_aton"` (CPython raises `OSError` with no errno; the API maps
/// malformed address strings to `TypeError`).
pub fn inet_aton(s: &str) -> Result<[u8; 4]> {
  if s.as_bytes().contains(&0) {
    return Err(Error::arg_value(NUL_MESSAGE));
  }
  parse_aton(s.as_bytes())
    .map(u32::to_be_bytes)
    .ok_or_else(|| Error::arg_value("illegal IP address string passed to inet_aton"))
}

/// True for the characters C's `isspace` accepts in the "C" locale.
fn is_c_space(c: u8) -> bool {
  matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `strtoul(s + i, &end, 0)` for a string known to start with an ASCII digit at `i`:
/// returns the value and the index after the last digit used, or `None` when the value
/// does not fit in 32 bits (which glibc's `inet_aton` rejects).
fn parse_c_number(b: &[u8], mut i: usize) -> Option<(u32, usize)> {
  let mut radix = 10;
  if b.get(i) == Some(&b'0') {
    let hex_prefix = matches!(b.get(i + 1), Some(b'x' | b'X'));
    if hex_prefix && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) {
      radix = 16;
      i += 2;
    } else {
      radix = 8;
    }
  }
  let mut value: u64 = 0;
  while let Some(digit) = b.get(i).and_then(|&c| (c as char).to_digit(radix)) {
    value = value * u64::from(radix) + u64::from(digit);
    if value > u64::from(u32::MAX) {
      return None;
    }
    i += 1;
  }
  Some((value as u32, i))
}

/// glibc's `inet_aton` grammar; the address as a host-order `u32`.
fn parse_aton(b: &[u8]) -> Option<u32> {
  let mut parts = [0u32; 3];
  let mut count = 0;
  let mut i = 0;
  let last = loop {
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
      return None;
    }
    let (value, next) = parse_c_number(b, i)?;
    i = next;
    if b.get(i) != Some(&b'.') {
      break value;
    }
    if count == parts.len() || value > 0xff {
      return None;
    }
    parts[count] = value;
    count += 1;
    i += 1;
  };
  if let Some(&c) = b.get(i) {
    if !is_c_space(c) {
      return None;
    }
  }
  let max = [u32::MAX, 0x00ff_ffff, 0xffff, 0xff][count];
  if last > max {
    return None;
  }
  Some((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | last)
}

/// `inet_ntoa(3)`: 4 bytes in network order → dotted quad (`"1.2.3.4"`). Formatted in
/// Rust (the C function returns a static buffer and is not reentrant).
///
/// Errors: a length other than 4 → [`Error::arg_value`] `"packed IP wrong length for
/// inet_ntoa"` (CPython raises `OSError` with no errno).
pub fn inet_ntoa(packed: &[u8]) -> Result<String> {
  let bytes: [u8; 4] = packed
    .try_into()
    .map_err(|_| Error::arg_value("packed IP wrong length for inet_ntoa"))?;
  Ok(Ipv4Addr::from(bytes).to_string())
}

/// `inet_pton(3)` from the C library: the strict text form of an `AF_INET` (exactly four
/// decimal parts, no leading zeros) or `AF_INET6` (RFC 4291, with an optional dotted IPv4
/// tail, no `%zone`) address → 4 or 16 bytes in network order.
///
/// Errors: a NUL → [`Error::arg_value`] `"embedded null character"`; another family →
/// [`Error::Os`] `EAFNOSUPPORT` with syscall `inet_pton` (as CPython); an invalid string
/// → [`Error::arg_value`] `"illegal IP address string passed to inet_pton"` (CPython
/// raises `OSError` with no errno).
pub fn inet_pton(family: i32, s: &str) -> Result<Vec<u8>> {
  if s.as_bytes().contains(&0) {
    return Err(Error::arg_value(NUL_MESSAGE));
  }
  let len = match family {
    c::AF_INET => 4,
    c::AF_INET6 => 16,
    _ => return Err(Error::os(c::EAFNOSUPPORT, "inet_pton")),
  };
  let text = CString::new(s).map_err(|_| Error::arg_value(NUL_MESSAGE))?;
  let mut out = [0u8; 16];
  // SAFETY: `text` is NUL-terminated and `out` has room for an in6_addr.
  let rc = unsafe { c::inet_pton(family, text.as_ptr(), out.as_mut_ptr().cast()) };
  match rc {
    1 => Ok(out[..len].to_vec()),
    0 => Err(Error::arg_value("illegal IP address string passed to inet_pton")),
    _ => Err(Error::last_os("inet_pton")),
  }
}

/// `inet_ntop(3)` from the C library: 4 (`AF_INET`) or 16 (`AF_INET6`) bytes in network
/// order → text. IPv6 follows RFC 5952 as glibc prints it: lower case, the first longest
/// run of two or more zero groups compressed (`"2001:db8::1:0:0:1"`), `"::ffff:1.2.3.4"`
/// for mapped addresses and, like glibc and CPython, `"::1.2.3.4"` for the deprecated
/// IPv4-compatible form.
///
/// Errors (CPython's `ValueError`s): a length that does not match the family →
/// [`Error::arg_value`] `"invalid length of packed IP address string"`; another family →
/// [`Error::arg_value`] `"unknown address family N"`.
pub fn inet_ntop(family: i32, packed: &[u8]) -> Result<String> {
  let len = match family {
    c::AF_INET => 4,
    c::AF_INET6 => 16,
    _ => return Err(Error::arg_value(format!("unknown address family {family}"))),
  };
  if packed.len() != len {
    return Err(Error::arg_value("invalid length of packed IP address string"));
  }
  // INET6_ADDRSTRLEN (46) is enough for either family.
  let mut buf: [c_char; 46] = [0; 46];
  // SAFETY: `packed` holds exactly the bytes of the family's address structure and
  // `buf` is writable for the length passed.
  let rc = unsafe {
    c::inet_ntop(
      family,
      packed.as_ptr().cast(),
      buf.as_mut_ptr(),
      buf.len() as c::socklen_t,
    )
  };
  if rc.is_null() {
    return Err(Error::last_os("inet_ntop"));
  }
  // SAFETY: on success inet_ntop wrote a NUL-terminated string into `buf`.
  Ok(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned())
}

/// `if_nameindex(3)`: every network interface as `(index, name)`, in the order the C
/// library gives them (ascending index on Linux: `[(1, "lo"), (2, "eth0"), …]`).
///
/// Errors: the call failing → [`Error::Os`] with its errno, syscall `if_nameindex`.
pub fn if_nameindex() -> Result<Vec<(u32, String)>> {
  sys::if_nameindex().map_err(|e| Error::from_io(e, "if_nameindex"))
}

/// `if_nametoindex(3)`: the index of the interface called `name` (`"lo"` → 1).
///
/// Errors: a NUL in `name` → [`Error::arg_value`]; no such interface (including `""` and
/// over-long names) → [`Error::NotFound`] `"no interface with this name"`, syscall
/// `if_nametoindex` (CPython raises `OSError` with no errno).
pub fn if_nametoindex(name: &str) -> Result<u32> {
  let c_name = CString::new(name).map_err(|_| Error::arg_value(NUL_MESSAGE))?;
  // SAFETY: `c_name` is NUL-terminated.
  let index = unsafe { c::if_nametoindex(c_name.as_ptr()) };
  if index == 0 {
    return Err(Error::NotFound {
      message: "no interface with this name".to_string(),
      syscall: "if_nametoindex",
    });
  }
  Ok(index)
}

/// `if_indextoname(3)`: the name of the interface with this index (1 → `"lo"`).
///
/// Errors: no such index (including 0) → [`Error::Os`] with the C library's errno
/// (`ENXIO` on Linux, as CPython reports), syscall `if_indextoname`.
pub fn if_indextoname(index: u32) -> Result<String> {
  let mut buf: [c_char; c::IF_NAMESIZE] = [0; c::IF_NAMESIZE];
  // SAFETY: `buf` is IF_NAMESIZE bytes, the size if_indextoname writes at most.
  let rc = unsafe { c::if_indextoname(index as c_uint, buf.as_mut_ptr()) };
  if rc.is_null() {
    return Err(Error::last_os("if_indextoname"));
  }
  // SAFETY: on success the name is NUL-terminated inside `buf`.
  Ok(unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned())
}

/// `CMSG_LEN(n)`: the `cmsg_len` of a control message carrying `n` data bytes, header
/// included, no trailing padding (x86_64: `16 + n`).
///
/// Errors: a result CPython would refuse (above `INT_MAX`, its limit for a socklen) →
/// [`Error::out_of_range`] `"CMSG_LEN() argument out of range"` (CPython's
/// `OverflowError`).
pub fn cmsg_len(n: usize) -> Result<usize> {
  // SAFETY: CMSG_LEN(0) is pure arithmetic.
  let header = unsafe { c::CMSG_LEN(0) } as usize;
  if n > CMSG_LIMIT - header {
    return Err(Error::out_of_range("CMSG_LEN() argument out of range"));
  }
  // SAFETY: pure arithmetic; n fits in c_uint (checked above) and the result does not
  // overflow it.
  Ok(unsafe { c::CMSG_LEN(n as c_uint) } as usize)
}

/// `CMSG_SPACE(n)`: the buffer space a control message carrying `n` data bytes takes,
/// padding included (x86_64: `16 + n` rounded up to 8; `0` → 16, `1..=8` → 24).
///
/// Errors: `n` above `INT_MAX - CMSG_SPACE(1)` (CPython's bound; observed largest accepted
/// is `2**31 - 25` on x86_64) → [`Error::out_of_range`] `"CMSG_SPACE() argument out of
/// range"` (CPython's `OverflowError`).
pub fn cmsg_space(n: usize) -> Result<usize> {
  // SAFETY: CMSG_SPACE(1) is pure arithmetic.
  let one = unsafe { c::CMSG_SPACE(1) } as usize;
  if n > CMSG_LIMIT - one {
    return Err(Error::out_of_range("CMSG_SPACE() argument out of range"));
  }
  // SAFETY: pure arithmetic; n fits in c_uint (checked above) and the result does not
  // overflow it.
  let space = unsafe { c::CMSG_SPACE(n as c_uint) } as usize;
  if space > CMSG_LIMIT {
    return Err(Error::out_of_range("CMSG_SPACE() argument out of range"));
  }
  Ok(space)
}

// The unit tests pin Linux/glibc behaviour and use libc directly.
#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;
  use crate::error::ArgKind;

  fn arg_message(r: Result<impl std::fmt::Debug>) -> String {
    match r {
      Err(Error::Arg {
        kind: ArgKind::Type,
        code: "ERR_INVALID_ARG_VALUE",
        message,
      }) => message,
      other => panic!("expected ERR_INVALID_ARG_VALUE, got {other:?}"),
    }
  }

  #[test]
  fn inet_aton_accepts_the_bsd_forms() {
    assert_eq!(inet_aton("1.2.3.4").unwrap(), [1, 2, 3, 4]);
    assert_eq!(inet_aton("1.2.3").unwrap(), [1, 2, 0, 3]);
    assert_eq!(inet_aton("1.2").unwrap(), [1, 0, 0, 2]);
    assert_eq!(inet_aton("1").unwrap(), [0, 0, 0, 1]);
    assert_eq!(inet_aton("0377.0.0.1").unwrap(), [255, 0, 0, 1]);
    assert_eq!(inet_aton("0x7f.1").unwrap(), [127, 0, 0, 1]);
    assert_eq!(inet_aton("0X7F.0.0.0x1").unwrap(), [127, 0, 0, 1]);
    assert_eq!(inet_aton("4294967295").unwrap(), [255, 255, 255, 255]);
    assert_eq!(inet_aton("1.16777215").unwrap(), [1, 255, 255, 255]);
    assert_eq!(inet_aton("1.2.65535").unwrap(), [1, 2, 255, 255]);
    assert_eq!(inet_aton("0").unwrap(), [0, 0, 0, 0]);
  }

  #[test]
  fn inet_aton_accepts_trailing_junk_after_whitespace() {
    assert_eq!(inet_aton("1.2.3.4 junk").unwrap(), [1, 2, 3, 4]);
    assert_eq!(inet_aton("1.2.3.4\t").unwrap(), [1, 2, 3, 4]);
    assert_eq!(inet_aton("1.2.3.4\n\u{e9}").unwrap(), [1, 2, 3, 4]);
  }

  #[test]
  fn inet_aton_rejects_what_cpython_rejects() {
    for bad in [
      "256.0.0.1",
      "",
      " 1.2.3.4",
      "::1",
      "0.0.0.",
      "a.0.0.0",
      "1.2.3.4.5",
      "1.2.3.256",
      "1.16777216",
      "4294967296",
      "08",
      "0x",
      "0xg",
      "1..2",
      ".1",
      "1.2.3.4x",
      "1.2.3.4\u{a0}",
      "99999999999999999999999",
    ] {
      assert_eq!(
        arg_message(inet_aton(bad)),
        "illegal IP address string passed to inet_aton",
        "{bad:?}"
      );
    }
    assert_eq!(arg_message(inet_aton("1.2.3.4\0")), "embedded null character");
    assert_eq!(arg_message(inet_aton("1.2.3.4 \0")), "embedded null character");
  }

  /// Differential check against the C library's own inet_aton on glibc.
  #[cfg(all(target_os = "linux", target_env = "gnu"))]
  #[test]
  fn inet_aton_matches_glibc() {
    unsafe extern "C" {
      fn inet_aton(cp: *const c_char, inp: *mut libc::in_addr) -> std::os::raw::c_int;
    }
    let pieces = [
      "",
      "0",
      "1",
      "00",
      "07",
      "08",
      "0x",
      "0X",
      "0x1",
      "0xff",
      "0x100",
      "255",
      "256",
      "377",
      "0377",
      "0400",
      "65535",
      "65536",
      "16777215",
      "16777216",
      "4294967295",
      "4294967296",
      "0xffffffff",
      "0x100000000",
      "037777777777",
      "040000000000",
      ".",
      " ",
      "\t",
      "x",
      "a",
      "-1",
      "+1",
      "1e",
      "9",
    ];
    let mut checked = 0;
    for a in pieces {
      for b in pieces {
        for c in ["", ".", ". ", " ", "x", ".1.2", ".1", ".1.2.3"] {
          let s = format!("{a}{c}{b}");
          let cs = CString::new(s.clone()).unwrap();
          let mut addr = libc::in_addr { s_addr: 0 };
          // SAFETY: `cs` is NUL-terminated and `addr` is writable.
          let ok = unsafe { inet_aton(cs.as_ptr(), &mut addr) } != 0;
          let ours = super::inet_aton(&s).ok();
          let theirs = ok.then(|| addr.s_addr.to_ne_bytes());
          assert_eq!(ours, theirs, "{s:?}");
          checked += 1;
        }
      }
    }
    assert!(checked > 9000);
  }

  #[test]
  fn inet_ntoa_formats_and_checks_length() {
    assert_eq!(inet_ntoa(&[1, 2, 3, 4]).unwrap(), "1.2.3.4");
    assert_eq!(inet_ntoa(&[255, 255, 255, 255]).unwrap(), "255.255.255.255");
    assert_eq!(arg_message(inet_ntoa(&[1])), "packed IP wrong length for inet_ntoa");
    assert_eq!(
      arg_message(inet_ntoa(&[1, 2, 3, 4, 5])),
      "packed IP wrong length for inet_ntoa"
    );
  }

  #[test]
  fn inet_pton_is_strict() {
    assert_eq!(inet_pton(libc::AF_INET, "1.2.3.4").unwrap(), vec![1, 2, 3, 4]);
    let mut v4c = vec![0u8; 12];
    v4c.extend([1, 2, 3, 4]);
    assert_eq!(inet_pton(libc::AF_INET6, "::1.2.3.4").unwrap(), v4c);
    assert_eq!(
      inet_pton(libc::AF_INET6, "1::2:3:4:5:6:7").unwrap(),
      vec![0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7]
    );
    let mut one = vec![0u8; 16];
    one[15] = 1;
    assert_eq!(inet_pton(libc::AF_INET6, "::1").unwrap(), one);
    for (family, bad) in [
      (libc::AF_INET, "01.2.3.4"),
      (libc::AF_INET, "1.2.3"),
      (libc::AF_INET, "0x7f.0.0.1"),
      (libc::AF_INET, "1.2.3.4 "),
      (libc::AF_INET, "::1"),
      (libc::AF_INET6, "fe80::1%lo"),
      (libc::AF_INET6, "::ffff:1.2.3.04"),
      (libc::AF_INET6, "00000::1"),
      (libc::AF_INET6, ":1::2"),
      (libc::AF_INET6, "1.2.3.4"),
      (libc::AF_INET6, ""),
    ] {
      assert_eq!(
        arg_message(inet_pton(family, bad)),
        "illegal IP address string passed to inet_pton",
        "{bad:?}"
      );
    }
    assert_eq!(
      arg_message(inet_pton(libc::AF_INET, "1.2.3.4\0")),
      "embedded null character"
    );
    assert_eq!(
      inet_pton(libc::AF_UNIX, "1.2.3.4"),
      Err(Error::Os {
        errno: libc::EAFNOSUPPORT,
        syscall: "inet_pton"
      })
    );
    assert_eq!(
      inet_pton(12345, "1.2.3.4"),
      Err(Error::Os {
        errno: libc::EAFNOSUPPORT,
        syscall: "inet_pton"
      })
    );
  }

  fn v6(text: &str) -> Vec<u8> {
    inet_pton(libc::AF_INET6, text).unwrap()
  }

  #[test]
  fn inet_ntop_follows_rfc5952() {
    assert_eq!(inet_ntop(libc::AF_INET, &[1, 2, 3, 4]).unwrap(), "1.2.3.4");
    assert_eq!(inet_ntop(libc::AF_INET6, &[0; 16]).unwrap(), "::");
    assert_eq!(inet_ntop(libc::AF_INET6, &v6("0:0:0:0:0:0:0:1")).unwrap(), "::1");
    let mut mapped = vec![0u8; 10];
    mapped.extend([0xff, 0xff, 1, 2, 3, 4]);
    assert_eq!(inet_ntop(libc::AF_INET6, &mapped).unwrap(), "::ffff:1.2.3.4");
    let mut compat = vec![0u8; 12];
    compat.extend([1, 2, 3, 4]);
    assert_eq!(inet_ntop(libc::AF_INET6, &compat).unwrap(), "::1.2.3.4");
    assert_eq!(
      inet_ntop(libc::AF_INET6, &v6("2001:db8:0:0:1:0:0:1")).unwrap(),
      "2001:db8::1:0:0:1"
    );
    assert_eq!(
      inet_ntop(libc::AF_INET6, &v6("2001:db8:0:1:1:1:1:1")).unwrap(),
      "2001:db8:0:1:1:1:1:1"
    );
    assert_eq!(inet_ntop(libc::AF_INET6, &v6("2001:DB8::A")).unwrap(), "2001:db8::a");
    assert_eq!(
      inet_ntop(libc::AF_INET6, &v6("::ffff:0:1.2.3.4")).unwrap(),
      "::ffff:0:102:304"
    );
    assert_eq!(inet_ntop(libc::AF_INET6, &v6("::101")).unwrap(), "::101");
    assert_eq!(inet_ntop(libc::AF_INET6, &v6("1:0:0:2:0:0:0:3")).unwrap(), "1:0:0:2::3");
  }

  #[test]
  fn inet_ntop_errors() {
    assert_eq!(
      arg_message(inet_ntop(libc::AF_INET, &[1, 2, 3])),
      "invalid length of packed IP address string"
    );
    assert_eq!(
      arg_message(inet_ntop(libc::AF_INET6, &[1, 2, 3, 4])),
      "invalid length of packed IP address string"
    );
    assert_eq!(arg_message(inet_ntop(1, &[1, 2, 3, 4])), "unknown address family 1");
    assert_eq!(arg_message(inet_ntop(99, &[])), "unknown address family 99");
  }

  #[test]
  fn loopback_interface_round_trips() {
    let list = if_nameindex().unwrap();
    assert!(list.contains(&(1, "lo".to_string())), "{list:?}");
    assert!(list.windows(2).all(|w| w[0].0 < w[1].0), "{list:?}");
    assert_eq!(if_nametoindex("lo").unwrap(), 1);
    assert_eq!(if_indextoname(1).unwrap(), "lo");
    for (index, name) in list {
      assert_eq!(if_nametoindex(&name).unwrap(), index);
      assert_eq!(if_indextoname(index).unwrap(), name);
    }
  }

  #[test]
  fn unknown_interfaces() {
    let not_found = Error::NotFound {
      message: "no interface with this name".to_string(),
      syscall: "if_nametoindex",
    };
    assert_eq!(if_nametoindex("nope"), Err(not_found.clone()));
    assert_eq!(if_nametoindex(""), Err(not_found.clone()));
    assert_eq!(if_nametoindex(&"x".repeat(40)), Err(not_found));
    assert_eq!(arg_message(if_nametoindex("l\0o")), "embedded null character");
    let enxio = Err(Error::Os {
      errno: libc::ENXIO,
      syscall: "if_indextoname",
    });
    assert_eq!(if_indextoname(0), enxio);
    assert_eq!(if_indextoname(12345), enxio);
    assert_eq!(if_indextoname(1 << 31), enxio);
  }

  #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
  #[test]
  fn cmsg_sizes_on_x86_64() {
    assert_eq!(cmsg_len(0).unwrap(), 16);
    assert_eq!(cmsg_len(4).unwrap(), 20);
    assert_eq!(cmsg_space(0).unwrap(), 16);
    assert_eq!(cmsg_space(1).unwrap(), 24);
    assert_eq!(cmsg_space(8).unwrap(), 24);
    assert_eq!(cmsg_space(9).unwrap(), 32);
    // The exact bounds CPython 3.13 accepts on this machine.
    assert_eq!(cmsg_len((1 << 31) - 17).unwrap(), 2_147_483_647);
    assert_eq!(cmsg_space((1 << 31) - 25).unwrap(), 2_147_483_640);
  }

  #[test]
  fn cmsg_out_of_range() {
    let len_err = Err(Error::out_of_range("CMSG_LEN() argument out of range"));
    let space_err = Err(Error::out_of_range("CMSG_SPACE() argument out of range"));
    for n in [(1usize << 31) - 16, (1 << 31) - 1, 1 << 32, (1 << 32) - 16, usize::MAX] {
      assert_eq!(cmsg_len(n), len_err, "{n}");
      assert_eq!(cmsg_space(n), space_err, "{n}");
    }
    #[cfg(target_arch = "x86_64")]
    assert_eq!(cmsg_space((1 << 31) - 24), space_err);
  }
}
