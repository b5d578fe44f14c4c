//! Socket addresses between JS and the core: encoders that write a raw `sockaddr` into
//! a caller's buffer (so the TS layer can cache encoded addresses), and the conversion
//! of decoded addresses to CPython-shaped tuples.

use bsd_sockets_core::c;
use std::net::IpAddr;

use bsd_sockets_core::addr::{self, Address, Spec};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use socket2::SockAddr;

use crate::errors::OrThrow;

fn write_out(env: &Env, sa: SockAddr, out: &mut [u8]) -> Result<u32> {
  let raw = addr::raw_bytes(&sa);
  if raw.len() > out.len() {
    return Err(crate::errors::throw(
      env,
      bsd_sockets_core::Error::out_of_range("address buffer too small"),
      None,
    ));
  }
  out[..raw.len()].copy_from_slice(raw);
  Ok(raw.len() as u32)
}

/// Encodes an AF_INET `(host, port)` into `out`, resolving `host`; returns the length.
#[napi]
pub fn encode_inet(env: Env, host: String, port: u32, mut out: Uint8ArraySlice<'_>) -> Result<u32> {
  let sa = addr::encode(
    c::AF_INET,
    &Spec::Inet {
      host: &host,
      port: port as u16,
    },
  )
  .or_throw(&env)?;
  write_out(&env, sa, unsafe { out.as_mut() })
}

/// Encodes an AF_INET6 `(host, port, flowinfo, scopeId)` into `out`.
#[napi]
pub fn encode_inet6(
  env: Env,
  host: String,
  port: u32,
  flowinfo: u32,
  scope_id: u32,
  mut out: Uint8ArraySlice<'_>,
) -> Result<u32> {
  let spec = Spec::Inet6 {
    host: &host,
    port: port as u16,
    flowinfo,
    scope_id,
  };
  let sa = addr::encode(c::AF_INET6, &spec).or_throw(&env)?;
  write_out(&env, sa, unsafe { out.as_mut() })
}

/// Encodes an AF_UNIX name (path bytes, abstract name, or empty to autobind).
#[napi]
pub fn encode_unix(env: Env, name: &[u8], mut out: Uint8ArraySlice<'_>) -> Result<u32> {
  let sa = addr::encode(c::AF_UNIX, &Spec::Unix(name)).or_throw(&env)?;
  write_out(&env, sa, unsafe { out.as_mut() })
}

/// Encodes an AF_PACKET `(ifname, proto, pkttype, hatype, addr)`.
#[napi]
pub fn encode_packet(
  env: Env,
  ifname: String,
  protocol: u32,
  pkttype: u32,
  hatype: u32,
  hwaddr: &[u8],
  mut out: Uint8ArraySlice<'_>,
) -> Result<u32> {
  let spec = Spec::Packet {
    ifname: &ifname,
    protocol: protocol as u16,
    pkttype: pkttype as u8,
    hatype: hatype as u16,
    addr: hwaddr,
  };
  let sa = addr::encode(packet_family(), &spec).or_throw(&env)?;
  write_out(&env, sa, unsafe { out.as_mut() })
}

/// Encodes an AF_NETLINK `(pid, groups)`.
#[napi]
pub fn encode_netlink(env: Env, pid: u32, groups: u32, mut out: Uint8ArraySlice<'_>) -> Result<u32> {
  let sa = addr::encode(netlink_family(), &Spec::Netlink { pid, groups }).or_throw(&env)?;
  write_out(&env, sa, unsafe { out.as_mut() })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn packet_family() -> i32 {
  c::AF_PACKET
}
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn packet_family() -> i32 {
  -1
}
#[cfg(any(target_os = "linux", target_os = "android"))]
fn netlink_family() -> i32 {
  c::AF_NETLINK
}
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn netlink_family() -> i32 {
  -1
}

/// Decodes a raw sockaddr (as the encoders wrote it) back into a tuple.
#[napi(ts_return_type = "any")]
pub fn decode_address(env: Env, raw: &[u8]) -> Result<JsAddress> {
  Ok(JsAddress(addr::decode(&addr::from_raw(raw).or_throw(&env)?)))
}

/// A decoded address on its way to JS: `null`, or CPython's tuple for its family.
pub struct JsAddress(pub Option<Address>);

impl JsAddress {
  /// Decodes what the kernel returned.
  pub fn from_sockaddr(sa: &SockAddr) -> JsAddress {
    JsAddress(addr::decode(sa))
  }
}

fn ip_string(ip: IpAddr) -> String {
  match ip {
    IpAddr::V4(v4) => v4.to_string(),
    v6 => addr::ip_text(v6),
  }
}

impl ToNapiValue for JsAddress {
  unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
    // SAFETY (for every call below): env is the live env napi-rs handed us.
    unsafe {
      match val.0 {
        None => Null::to_napi_value(env, Null),
        Some(Address::Inet(a)) => <(String, u32)>::to_napi_value(env, (a.ip().to_string(), a.port() as u32)),
        Some(Address::Inet6(a)) => <(String, u32, u32, u32)>::to_napi_value(
          env,
          (
            ip_string(IpAddr::V6(*a.ip())),
            a.port() as u32,
            a.flowinfo(),
            a.scope_id(),
          ),
        ),
        Some(Address::Unix(bytes)) => {
          // Paths come back as strings when they are UTF-8 (as the user most likely
          // gave them); abstract names and non-UTF-8 paths stay bytes, never lossy.
          if bytes.first() != Some(&0) {
            if let Ok(s) = String::from_utf8(bytes.clone()) {
              return String::to_napi_value(env, s);
            }
          }
          Buffer::to_napi_value(env, Buffer::from(bytes))
        }
        Some(Address::Packet {
          ifname,
          protocol,
          pkttype,
          hatype,
          addr,
        }) => <(String, u32, u32, u32, Buffer)>::to_napi_value(
          env,
          (
            ifname,
            protocol as u32,
            pkttype as u32,
            hatype as u32,
            Buffer::from(addr),
          ),
        ),
        Some(Address::Netlink { pid, groups }) => <(u32, u32)>::to_napi_value(env, (pid, groups)),
        Some(Address::Other { family, data }) => <(i32, Buffer)>::to_napi_value(env, (family, Buffer::from(data))),
      }
    }
  }
}
