//! Per-environment state (each worker thread is its own environment): the error
//! classes the TS layer registered, and the event-loop backend, created on first use.

use std::rc::Rc;

use napi::bindgen_prelude::*;
use napi::sys;

use crate::reactor::{self, Backend};

/// The JS error classes of one environment.
pub struct ErrorClasses {
  pub socket_error: sys::napi_ref,
  pub gai_error: sys::napi_ref,
  pub timeout_error: sys::napi_ref,
}

/// Everything an environment keeps.
#[derive(Default)]
pub struct Instance {
  pub errors: Option<ErrorClasses>,
  pub backend: Option<Rc<Backend>>,
}

/// This environment's state, created on first use.
pub fn get(env: &Env) -> Result<&'static mut Instance> {
  if let Some(i) = env.get_instance_data::<Instance>()? {
    return Ok(i);
  }
  env.set_instance_data(Instance::default(), (), |ctx| {
    if let Some(e) = &ctx.value.errors {
      let raw = ctx.env.raw();
      for r in [e.socket_error, e.gai_error, e.timeout_error] {
        // SAFETY: references we created in this env.
        unsafe { sys::napi_delete_reference(raw, r) };
      }
    }
  })?;
  env
    .get_instance_data::<Instance>()?
    .ok_or_else(|| Error::from_reason("bsd-sockets: instance data unavailable"))
}

/// This environment's event-loop backend.
pub fn backend(env: &Env) -> Result<Rc<Backend>> {
  let inst = get(env)?;
  if let Some(b) = &inst.backend {
    return Ok(b.clone());
  }
  let b = reactor::new_backend(env.raw())
    .map_err(|_| Error::from_reason("bsd-sockets: this runtime has no libuv event loop for async calls"))?;
  inst.backend = Some(b.clone());
  Ok(b)
}
