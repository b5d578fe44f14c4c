//! The platform's constant tables, read from the C headers at build time by the core.

use bsd_sockets_core::constants;
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// Every constant this platform defines, by name (exactly this platform's set).
#[napi(ts_return_type = "Record<string, number>")]
pub fn constants(env: &Env) -> Result<Object<'_>> {
  let mut obj = Object::new(env)?;
  for (name, value) in constants::all() {
    obj.set(*name, *value as f64)?;
  }
  Ok(obj)
}

/// errno number → name (e.g. 111 → "ECONNREFUSED").
#[napi(ts_return_type = "Record<number, string>")]
pub fn errno_names(env: &Env) -> Result<Object<'_>> {
  let mut obj = Object::new(env)?;
  // Every value the table has (Winsock's reach past 10000), under its canonical name.
  for (_, errno) in constants::errno_all() {
    if let Some(name) = constants::errno_name(*errno) {
      obj.set(errno.to_string(), name)?;
    }
  }
  Ok(obj)
}
