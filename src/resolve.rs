//! Name and service resolution (blocking forms; the TS layer names them `*Sync`).

use bsd_sockets_core::resolve;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::address::JsAddress;
use crate::errors::OrThrow;

/// One getaddrinfo answer on its way to JS.
type AddrInfoTuple = (i32, i32, i32, String, JsAddress);

/// getaddrinfo answers as the `[family, type, proto, canonname, sockaddr]` rows JS gets
/// (for the sync call here and the async one in `lookup`).
pub(crate) fn addrinfo_rows(list: Vec<resolve::AddrInfo>) -> Vec<AddrInfoTuple> {
  list
    .into_iter()
    .map(|ai| {
      (
        ai.family,
        ai.socktype,
        ai.protocol,
        ai.canonname,
        JsAddress::from_sockaddr(&ai.addr),
      )
    })
    .collect()
}

/// `getaddrinfo(3)` → `[family, type, proto, canonname, sockaddr][]`.
#[napi(ts_return_type = "Array<[number, number, number, string, any]>")]
pub fn getaddrinfo(
  env: Env,
  host: Option<String>,
  port: Option<String>,
  family: i32,
  socktype: i32,
  protocol: i32,
  flags: i32,
) -> Result<Vec<AddrInfoTuple>> {
  let list =
    resolve::getaddrinfo(host.as_deref(), port.as_deref(), family, socktype, protocol, flags).or_throw(&env)?;
  Ok(addrinfo_rows(list))
}

/// `getnameinfo(3)` of a numeric host → `[host, service]`.
#[napi]
pub fn getnameinfo(
  env: Env,
  host: String,
  port: u32,
  flowinfo: Option<u32>,
  scope_id: Option<u32>,
  flags: i32,
) -> Result<(String, String)> {
  resolve::getnameinfo(&host, port as u16, flowinfo, scope_id, flags).or_throw(&env)
}

/// IPv4 address of a host name.
#[napi]
pub fn gethostbyname(env: Env, host: String) -> Result<String> {
  resolve::gethostbyname(&host).or_throw(&env)
}

/// `[hostname, aliases, addresses]` of a host name.
#[napi]
pub fn gethostbyname_ex(env: Env, host: String) -> Result<(String, Vec<String>, Vec<String>)> {
  resolve::gethostbyname_ex(&host).or_throw(&env)
}

/// `[hostname, aliases, addresses]` of an address (or name).
#[napi]
pub fn gethostbyaddr(env: Env, host: String) -> Result<(String, Vec<String>, Vec<String>)> {
  resolve::gethostbyaddr(&host).or_throw(&env)
}

/// Fully qualified name (CPython's algorithm; never fails).
#[napi]
pub fn getfqdn(name: String) -> String {
  resolve::getfqdn(&name)
}

/// `gethostname(2)`.
#[napi]
pub fn gethostname(env: Env) -> Result<String> {
  resolve::gethostname().or_throw(&env)
}

/// `sethostname(2)` (needs CAP_SYS_ADMIN).
#[napi]
pub fn sethostname(env: Env, name: &[u8]) -> Result<()> {
  resolve::sethostname(name).or_throw(&env)
}

/// Port of a service name.
#[napi]
pub fn getservbyname(env: Env, name: String, proto: Option<String>) -> Result<u32> {
  resolve::getservbyname(&name, proto.as_deref())
    .map(u32::from)
    .or_throw(&env)
}

/// Service name of a port.
#[napi]
pub fn getservbyport(env: Env, port: u32, proto: Option<String>) -> Result<String> {
  resolve::getservbyport(port as u16, proto.as_deref()).or_throw(&env)
}

/// Protocol number of a protocol name.
#[napi]
pub fn getprotobyname(env: Env, name: String) -> Result<i32> {
  resolve::getprotobyname(&name).or_throw(&env)
}
