//! Node-API glue for `bsd-sockets`: thin wrappers that convert JS values to
//! `bsd-sockets-core` calls and core results back to JS. No socket logic lives here.

#![deny(clippy::all)]

mod address;
mod constants;
mod errors;
mod fast;
mod helpers;
mod instance;
mod lookup;
mod reactor;
mod resolve;
mod socket;
