//! Build script: turns `constants/names.txt` into C tables of the target's socket
//! constants.
//!
//! The values must come from the target's own headers, never from a list typed by
//! hand, so this writes a C file that asks the preprocessor about each name
//! (`#if defined(NAME)`, like CPython's socketmodule.c) and compiles it with the `cc`
//! crate for the target. Nothing generated is run at build time, so cross-compiling
//! works: the target's headers and compiler decide what exists.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

/// Which C table an entry of names.txt lands in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Table {
  Constants,
  Errno,
}

/// One line of names.txt.
struct Entry {
  table: Table,
  name: String,
  expr: String,
  cond: String,
}

/// Headers, feature macros and helper macros the generated C file starts with.
///
/// Order matters on Linux: glibc's headers go first so that the kernel's uapi
/// headers (whose `linux/libc-compat.h` looks for glibc's include guards) do not
/// redefine `struct in6_addr`, `struct ifreq` and friends. The uapi headers that
/// drag in `linux/in.h`, `linux/in6.h` or `linux/if.h` are only used with glibc,
/// because other C libraries (musl) get no such courtesy.
const PRELUDE: &str = r#"
#ifndef __has_include
# define __has_include(x) 0
#endif

#define BSDS_KV(major, minor) (((major) << 16) + ((minor) << 8))

#if defined(_WIN32)

# ifndef WIN32_LEAN_AND_MEAN
#  define WIN32_LEAN_AND_MEAN
# endif
# ifndef _WIN32_WINNT
#  define _WIN32_WINNT 0x0A00
# endif
# include <winsock2.h>
# include <ws2tcpip.h>
# if __has_include(<mstcpip.h>)
#  include <mstcpip.h>
# endif
# if __has_include(<afunix.h>)
#  include <afunix.h>
# endif
# include <errno.h>

#else /* POSIX */

# if defined(__linux__) || defined(__CYGWIN__)
#  ifndef _GNU_SOURCE
#   define _GNU_SOURCE 1
#  endif
# endif
# if defined(__APPLE__)
#  define __APPLE_USE_RFC_3542 1
# endif

# include <sys/types.h>
# include <sys/socket.h>
# include <sys/ioctl.h>
# include <sys/time.h>
# include <sys/un.h>
# include <time.h>
# include <errno.h>
# include <netinet/in.h>
# if __has_include(<netinet/in_systm.h>)
#  include <netinet/in_systm.h>
# endif
# include <netinet/ip.h>
# include <netinet/tcp.h>
# if __has_include(<netinet/udp.h>)
#  include <netinet/udp.h>
# endif
# include <arpa/inet.h>
# include <netdb.h>
# include <net/if.h>
# if __has_include(<net/ethernet.h>)
#  include <net/ethernet.h>
# endif
# if __has_include(<netinet/icmp6.h>)
#  include <netinet/icmp6.h>
# endif
# if __has_include(<sys/sockio.h>)
#  include <sys/sockio.h>
# endif
# if __has_include(<sys/sys_domain.h>)
#  include <sys/sys_domain.h>
# endif
# if __has_include(<sys/kern_control.h>)
#  include <sys/kern_control.h>
# endif

# if defined(__linux__)
#  if __has_include(<linux/version.h>)
#   include <linux/version.h>
#  endif
#  if __has_include(<asm/types.h>)
#   include <asm/types.h>
#  endif
#  if __has_include(<linux/netlink.h>)
#   include <linux/netlink.h>
#   define BSDS_HAVE_LINUX_NETLINK_H 1
#  endif
#  if __has_include(<linux/if_packet.h>)
#   include <linux/if_packet.h>
#   define BSDS_HAVE_LINUX_IF_PACKET_H 1
#  elif __has_include(<netpacket/packet.h>)
#   include <netpacket/packet.h>
#  endif
#  if __has_include(<linux/if_ether.h>)
#   include <linux/if_ether.h>
#  endif
#  if __has_include(<linux/filter.h>)
#   include <linux/filter.h>
#  endif
#  if __has_include(<linux/sockios.h>)
#   include <linux/sockios.h>
#  endif
#  if __has_include(<linux/errqueue.h>)
#   include <linux/errqueue.h>
#   define BSDS_HAVE_LINUX_ERRQUEUE_H 1
#  endif
#  if __has_include(<linux/net_tstamp.h>)
#   include <linux/net_tstamp.h>
#   define BSDS_HAVE_LINUX_NET_TSTAMP_H 1
#  endif
#  if __has_include(<linux/can.h>)
#   include <linux/can.h>
#   define BSDS_HAVE_LINUX_CAN_H 1
#   if __has_include(<linux/can/raw.h>)
#    include <linux/can/raw.h>
#    define BSDS_HAVE_LINUX_CAN_RAW_H 1
#   endif
#   if __has_include(<linux/can/bcm.h>)
#    include <linux/can/bcm.h>
#    define BSDS_HAVE_LINUX_CAN_BCM_H 1
#   endif
#   if __has_include(<linux/can/isotp.h>)
#    include <linux/can/isotp.h>
#   endif
#   if __has_include(<linux/can/j1939.h>)
#    include <linux/can/j1939.h>
#    define BSDS_HAVE_LINUX_CAN_J1939_H 1
#   endif
#  endif
#  if __has_include(<linux/tipc.h>)
#   include <linux/tipc.h>
#   define BSDS_HAVE_LINUX_TIPC_H 1
#  endif
#  if __has_include(<linux/vm_sockets.h>)
#   include <linux/vm_sockets.h>
#  endif
#  if __has_include(<linux/if_alg.h>)
#   include <linux/if_alg.h>
#   define BSDS_HAVE_LINUX_IF_ALG_H 1
#  endif
#  if __has_include(<linux/qrtr.h>)
#   include <linux/qrtr.h>
#  endif
#  if defined(__GLIBC__)
#   if __has_include(<linux/rds.h>)
#    include <linux/rds.h>
#   endif
#   if __has_include(<linux/icmp.h>)
#    include <linux/icmp.h>
#   endif
#   if __has_include(<linux/netfilter_ipv4.h>)
#    include <linux/netfilter_ipv4.h>
#   endif
#  endif
#  if __has_include(<bluetooth/bluetooth.h>)
#   include <bluetooth/bluetooth.h>
#   if __has_include(<bluetooth/hci.h>)
#    include <bluetooth/hci.h>
#   endif
#   if __has_include(<bluetooth/l2cap.h>)
#    include <bluetooth/l2cap.h>
#   endif
#   if __has_include(<bluetooth/rfcomm.h>)
#    include <bluetooth/rfcomm.h>
#   endif
#   if __has_include(<bluetooth/sco.h>)
#    include <bluetooth/sco.h>
#   endif
#  endif
# endif /* __linux__ */

# if !defined(__linux__) || !defined(__GLIBC__)
#  if __has_include(<netinet/ip_icmp.h>)
#   include <netinet/ip_icmp.h>
#  endif
# endif

#endif /* POSIX */

#ifdef LINUX_VERSION_CODE
# define BSDS_LINUX_HEADERS LINUX_VERSION_CODE
#else
# define BSDS_LINUX_HEADERS 0
#endif
#ifndef BSDS_HAVE_LINUX_NETLINK_H
# define BSDS_HAVE_LINUX_NETLINK_H 0
#endif
#ifndef BSDS_HAVE_LINUX_IF_PACKET_H
# define BSDS_HAVE_LINUX_IF_PACKET_H 0
#endif
#ifndef BSDS_HAVE_LINUX_ERRQUEUE_H
# define BSDS_HAVE_LINUX_ERRQUEUE_H 0
#endif
#ifndef BSDS_HAVE_LINUX_NET_TSTAMP_H
# define BSDS_HAVE_LINUX_NET_TSTAMP_H 0
#endif
#ifndef BSDS_HAVE_LINUX_CAN_H
# define BSDS_HAVE_LINUX_CAN_H 0
#endif
#ifndef BSDS_HAVE_LINUX_CAN_RAW_H
# define BSDS_HAVE_LINUX_CAN_RAW_H 0
#endif
#ifndef BSDS_HAVE_LINUX_CAN_BCM_H
# define BSDS_HAVE_LINUX_CAN_BCM_H 0
#endif
#ifndef BSDS_HAVE_LINUX_CAN_J1939_H
# define BSDS_HAVE_LINUX_CAN_J1939_H 0
#endif
#ifndef BSDS_HAVE_LINUX_TIPC_H
# define BSDS_HAVE_LINUX_TIPC_H 0
#endif
#ifndef BSDS_HAVE_LINUX_IF_ALG_H
# define BSDS_HAVE_LINUX_IF_ALG_H 0
#endif

#include <stddef.h>

struct bsd_sockets_core_const {
  const char *name;
  long long value;
};
"#;

fn main() {
  println!("cargo:rerun-if-changed=build.rs");
  println!("cargo:rerun-if-changed=constants/names.txt");

  let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
  let names_path = manifest_dir.join("constants").join("names.txt");
  let text = fs::read_to_string(&names_path).unwrap_or_else(|e| panic!("cannot read {}: {e}", names_path.display()));
  let entries = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", names_path.display()));

  let mut c = String::new();
  c.push_str("/* Generated by build.rs from constants/names.txt; do not edit. */\n");
  c.push_str(PRELUDE);
  emit_table(&mut c, "bsd_sockets_core_constants_v1", &entries, Table::Constants);
  emit_table(&mut c, "bsd_sockets_core_errno_v1", &entries, Table::Errno);

  let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
  let c_path = out_dir.join("bsd_sockets_constants.c");
  fs::write(&c_path, c).unwrap_or_else(|e| panic!("cannot write {}: {e}", c_path.display()));

  cc::Build::new()
    .file(&c_path)
    .warnings(false)
    .compile("bsd_sockets_core_constants");
}

/// Emits `size_t FN(struct bsd_sockets_core_const *out, size_t cap)`, which copies
/// up to `cap` present entries to `out` and returns how many there are.
///
/// The table lives inside the function (automatic storage) so that a header whose
/// macro expands to something that is not an arithmetic constant expression still
/// compiles; Rust calls it once and keeps the result.
fn emit_table(c: &mut String, function: &str, entries: &[Entry], table: Table) {
  let _ = writeln!(
    c,
    "\nsize_t {function}(struct bsd_sockets_core_const *out, size_t cap) {{"
  );
  c.push_str("  const struct bsd_sockets_core_const table[] = {\n");
  for entry in entries.iter().filter(|e| e.table == table) {
    if table == Table::Errno {
      // Socket calls on Windows report Winsock's codes, not the C runtime's errno:
      // there an errno name stands for its WSA value (libuv's mapping; CPython's errno
      // module does so for the socket-only names and keeps the C runtime's numbers
      // for EINTR, EBADF, EINVAL and the like),
      // and C-runtime-only names are left out, since their small numbers are Win32
      // error codes of another meaning.
      let windows = windows_errno(&entry.name);
      let _ = writeln!(c, "#if defined(_WIN32) && defined({windows})");
      let _ = writeln!(c, "    {{ \"{}\", (long long)({windows}) }},", entry.name);
      let _ = writeln!(c, "#elif !defined(_WIN32) && ({})", entry.cond);
    } else {
      let _ = writeln!(c, "#if {}", entry.cond);
    }
    let _ = writeln!(c, "    {{ \"{}\", (long long)({}) }},", entry.name, entry.expr);
    c.push_str("#endif\n");
  }
  c.push_str("    { NULL, 0 }\n  };\n");
  c.push_str("  size_t n = sizeof(table) / sizeof(table[0]) - 1;\n");
  c.push_str("  size_t i;\n");
  c.push_str("  for (i = 0; i < n && i < cap; i++) {\n    out[i] = table[i];\n  }\n");
  c.push_str("  return n;\n}\n");
}

/// The Windows macro an errno name stands for: `WSA<NAME>`, except where Winsock's
/// code has another name (the same choices as `sys::c` on Windows: `EAGAIN` is
/// `WSAEWOULDBLOCK`, as libuv maps it).
fn windows_errno(name: &str) -> String {
  match name {
    "EAGAIN" => "WSAEWOULDBLOCK".to_owned(),
    "ENOMEM" => "WSA_NOT_ENOUGH_MEMORY".to_owned(),
    "EIO" => "ERROR_IO_DEVICE".to_owned(),
    "ENOSYS" => "ERROR_CALL_NOT_IMPLEMENTED".to_owned(),
    "ESPIPE" => "ERROR_SEEK_ON_DEVICE".to_owned(),
    _ => format!("WSA{name}"),
  }
}

/// Parses names.txt (its syntax is described at the top of that file).
fn parse(text: &str) -> Result<Vec<Entry>, String> {
  let mut table = Table::Constants;
  let mut entries = Vec::new();
  for (index, raw) in text.lines().enumerate() {
    let line_no = index + 1;
    let line = raw.trim();
    if line.is_empty() || line.starts_with('#') {
      continue;
    }
    match line {
      "[constants]" => {
        table = Table::Constants;
        continue;
      }
      "[errno]" => {
        table = Table::Errno;
        continue;
      }
      _ => {}
    }
    let (head, cond) = match line.split_once(" if ") {
      Some((head, cond)) => (head.trim(), Some(cond.trim())),
      None => (line, None),
    };
    let (name, expr) = match head.split_once('=') {
      Some((name, expr)) => (name.trim(), Some(expr.trim())),
      None => (head, None),
    };
    if !is_identifier(name) {
      return Err(format!("line {line_no}: `{name}` is not a C identifier"));
    }
    if expr.is_some_and(str::is_empty) || cond.is_some_and(str::is_empty) {
      return Err(format!("line {line_no}: empty expression or condition"));
    }
    let expr = expr.unwrap_or(name);
    let cond = match cond {
      Some(cond) => cond.to_owned(),
      None if is_identifier(expr) => format!("defined({expr})"),
      None => {
        return Err(format!(
          "line {line_no}: `{name}` has a computed value, so it needs an `if` condition"
        ))
      }
    };
    entries.push(Entry {
      table,
      name: name.to_owned(),
      expr: expr.to_owned(),
      cond,
    });
  }
  Ok(entries)
}

/// Whether `s` can be a C macro name (and so also a JavaScript export name).
fn is_identifier(s: &str) -> bool {
  let mut chars = s.chars();
  chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
