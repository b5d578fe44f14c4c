//! The Promise forms of name resolution: each lookup runs on the libuv thread pool as
//! napi async work (getaddrinfo and friends block; there is no readiness to wait for),
//! and settles on the JS thread with the same values or errors as the `*Sync` forms.

use bsd_sockets_core::resolve::{self, AddrInfo};
use bsd_sockets_core::Error as CoreError;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::errors::rejection;
use crate::resolve::addrinfo_rows;

/// What a lookup produced.
pub enum Found {
  AddrInfo(Vec<AddrInfo>),
  Pair(String, String),
  Text(String),
  Host(String, Vec<String>, Vec<String>),
}

type Job = Box<dyn FnOnce() -> bsd_sockets_core::Result<Found> + Send>;

/// One lookup on the thread pool.
pub struct Lookup {
  job: Option<Job>,
}

/// A lookup's result on its way to JS.
pub struct FoundValue(Found);

impl TypeName for FoundValue {
  fn type_name() -> &'static str {
    "unknown"
  }
  fn value_type() -> ValueType {
    ValueType::Unknown
  }
}

impl ToNapiValue for FoundValue {
  unsafe fn to_napi_value(env: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
    // SAFETY (all arms): env is the live env napi-rs hands us.
    unsafe {
      match val.0 {
        Found::AddrInfo(list) => Vec::to_napi_value(env, addrinfo_rows(list)),
        Found::Pair(a, b) => <(String, String)>::to_napi_value(env, (a, b)),
        Found::Text(s) => String::to_napi_value(env, s),
        Found::Host(n, a, l) => <(String, Vec<String>, Vec<String>)>::to_napi_value(env, (n, a, l)),
      }
    }
  }
}

impl Task for Lookup {
  type Output = bsd_sockets_core::Result<Found>;
  type JsValue = FoundValue;

  fn compute(&mut self) -> Result<Self::Output> {
    match self.job.take() {
      Some(job) => Ok(job()),
      None => Ok(Err(CoreError::arg_value("lookup already ran"))),
    }
  }

  fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
    output.map(FoundValue).map_err(|e| rejection(&env, e))
  }
}

fn task(signal: Option<AbortSignal>, job: Job) -> AsyncTask<Lookup> {
  let t = Lookup { job: Some(job) };
  match signal {
    Some(s) => AsyncTask::with_signal(t, s),
    None => AsyncTask::new(t),
  }
}

/// `getaddrinfo(3)` on the thread pool.
#[napi(ts_return_type = "Promise<Array<[number, number, number, string, any]>>")]
pub fn getaddrinfo_async(
  host: Option<String>,
  port: Option<String>,
  family: i32,
  socktype: i32,
  protocol: i32,
  flags: i32,
  signal: Option<AbortSignal>,
) -> AsyncTask<Lookup> {
  task(
    signal,
    Box::new(move || {
      resolve::getaddrinfo(host.as_deref(), port.as_deref(), family, socktype, protocol, flags).map(Found::AddrInfo)
    }),
  )
}

/// `getnameinfo(3)` on the thread pool.
#[napi(ts_return_type = "Promise<[string, string]>")]
pub fn getnameinfo_async(
  host: String,
  port: u32,
  flowinfo: Option<u32>,
  scope_id: Option<u32>,
  flags: i32,
  signal: Option<AbortSignal>,
) -> AsyncTask<Lookup> {
  task(
    signal,
    Box::new(move || {
      resolve::getnameinfo(&host, port as u16, flowinfo, scope_id, flags).map(|(h, s)| Found::Pair(h, s))
    }),
  )
}

/// IPv4 address of a name, on the thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn gethostbyname_async(host: String, signal: Option<AbortSignal>) -> AsyncTask<Lookup> {
  task(signal, Box::new(move || resolve::gethostbyname(&host).map(Found::Text)))
}

/// `[hostname, aliases, addresses]` of a name, on the thread pool.
#[napi(ts_return_type = "Promise<[string, Array<string>, Array<string>]>")]
pub fn gethostbyname_ex_async(host: String, signal: Option<AbortSignal>) -> AsyncTask<Lookup> {
  task(
    signal,
    Box::new(move || resolve::gethostbyname_ex(&host).map(|(n, a, l)| Found::Host(n, a, l))),
  )
}

/// `[hostname, aliases, addresses]` of an address, on the thread pool.
#[napi(ts_return_type = "Promise<[string, Array<string>, Array<string>]>")]
pub fn gethostbyaddr_async(host: String, signal: Option<AbortSignal>) -> AsyncTask<Lookup> {
  task(
    signal,
    Box::new(move || resolve::gethostbyaddr(&host).map(|(n, a, l)| Found::Host(n, a, l))),
  )
}

/// Fully qualified name, on the thread pool.
#[napi(ts_return_type = "Promise<string>")]
pub fn getfqdn_async(name: String, signal: Option<AbortSignal>) -> AsyncTask<Lookup> {
  task(signal, Box::new(move || Ok(Found::Text(resolve::getfqdn(&name)))))
}
