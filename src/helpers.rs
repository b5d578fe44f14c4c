//! Address text conversion, interface names and CMSG sizes.

use bsd_sockets_core::inet;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::OrThrow;

/// `inet_aton(3)` → 4 bytes.
#[napi]
pub fn inet_aton(env: Env, text: String) -> Result<Buffer> {
  Ok(Buffer::from(inet::inet_aton(&text).or_throw(&env)?.to_vec()))
}

/// 4 bytes → dotted quad.
#[napi]
pub fn inet_ntoa(env: Env, packed: &[u8]) -> Result<String> {
  inet::inet_ntoa(packed).or_throw(&env)
}

/// `inet_pton(3)`.
#[napi]
pub fn inet_pton(env: Env, family: i32, text: String) -> Result<Buffer> {
  Ok(Buffer::from(inet::inet_pton(family, &text).or_throw(&env)?))
}

/// `inet_ntop(3)`.
#[napi]
pub fn inet_ntop(env: Env, family: i32, packed: &[u8]) -> Result<String> {
  inet::inet_ntop(family, packed).or_throw(&env)
}

/// `if_nameindex(3)` → `[index, name][]`.
#[napi]
pub fn if_nameindex(env: Env) -> Result<Vec<(u32, String)>> {
  inet::if_nameindex().or_throw(&env)
}

/// `if_nametoindex(3)`.
#[napi]
pub fn if_nametoindex(env: Env, name: String) -> Result<u32> {
  inet::if_nametoindex(&name).or_throw(&env)
}

/// `if_indextoname(3)`.
#[napi]
pub fn if_indextoname(env: Env, index: u32) -> Result<String> {
  inet::if_indextoname(index).or_throw(&env)
}

/// `CMSG_LEN(n)`.
#[napi(js_name = "CMSG_LEN")]
pub fn cmsg_len(env: Env, n: f64) -> Result<f64> {
  Ok(inet::cmsg_len(n as usize).or_throw(&env)? as f64)
}

/// `CMSG_SPACE(n)`.
#[napi(js_name = "CMSG_SPACE")]
pub fn cmsg_space(env: Env, n: f64) -> Result<f64> {
  Ok(inet::cmsg_space(n as usize).or_throw(&env)? as f64)
}
