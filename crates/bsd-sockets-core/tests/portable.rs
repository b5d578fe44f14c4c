//! The behaviour every backend must share, written against the public API and
//! `bsd_sockets_core::c` only, so the same file runs on Linux (`cargo test`) and on
//! Windows (the workflow, or Wine here: `scripts/build-cross.sh --wine`).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use bsd_sockets_core::addr::{self, Address, Spec};
use bsd_sockets_core::{c, constants, resolve, Error, Socket, Timeout};

/// A new AF_INET socket of `socktype` bound to 127.0.0.1 on a free port.
fn bound_v4(socktype: i32) -> Socket {
  let s = Socket::new(c::AF_INET, socktype, 0, Timeout::Blocking).unwrap();
  let any_port = Spec::Inet {
    host: "127.0.0.1",
    port: 0,
  };
  s.bind(&addr::encode(c::AF_INET, &any_port).unwrap()).unwrap();
  s
}

fn tcp_listener() -> Socket {
  let l = bound_v4(c::SOCK_STREAM);
  l.listen(8).unwrap();
  l
}

fn connected_tcp() -> (Socket, Socket) {
  let l = tcp_listener();
  let client = Socket::new(c::AF_INET, c::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
  client.io().connect(&l.local_addr().unwrap()).unwrap();
  let (server, peer) = l.accept(Timeout::Blocking).unwrap();
  assert_eq!(addr::decode(&peer), addr::decode(&client.local_addr().unwrap()));
  (client, server)
}

#[test]
fn tcp_loopback_send_recv_and_shutdown() {
  let (a, b) = connected_tcp();
  a.io().sendall(b"hello over loopback", 0).unwrap();
  let mut buf = [0u8; 64];
  let mut got = Vec::new();
  while got.len() < 19 {
    let n = b.io().recv_into(&mut buf, 0).unwrap();
    assert!(n > 0);
    got.extend_from_slice(&buf[..n]);
  }
  assert_eq!(got, b"hello over loopback");
  a.shutdown(1).unwrap(); // SHUT_WR / SD_SEND
  assert_eq!(b.io().recv_into(&mut buf, 0).unwrap(), 0);
  assert_eq!((a.family(), a.socktype()), (c::AF_INET, c::SOCK_STREAM));
}

#[test]
fn socketpair_is_connected_both_ways() {
  // AF_UNIX natively on Unix; AF_INET over loopback on Windows, as CPython does there.
  let family = if cfg!(windows) { c::AF_INET } else { c::AF_UNIX };
  let (a, b) = Socket::pair(family, c::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
  a.io().send(b"ping", 0).unwrap();
  b.io().send(b"pong", 0).unwrap();
  let mut buf = [0u8; 8];
  assert_eq!(b.io().recv_into(&mut buf, 0).unwrap(), 4);
  assert_eq!(&buf[..4], b"ping");
  assert_eq!(a.io().recv_into(&mut buf, 0).unwrap(), 4);
  assert_eq!(&buf[..4], b"pong");
}

#[test]
fn udp_datagrams_keep_boundaries_and_sender() {
  let a = bound_v4(c::SOCK_DGRAM);
  let b = bound_v4(c::SOCK_DGRAM);
  let to = b.local_addr().unwrap();
  a.io().send_to(b"one", 0, &to).unwrap();
  a.io().send_to(b"two!", 0, &to).unwrap();
  let mut buf = [0u8; 16];
  let (n, from) = b.io().recv_from_into(&mut buf, 0).unwrap();
  assert_eq!(&buf[..n], b"one");
  assert_eq!(addr::decode(&from), addr::decode(&a.local_addr().unwrap()));
  let (n, _) = b.io().recv_from_into(&mut buf, 0).unwrap();
  assert_eq!(&buf[..n], b"two!");
}

#[test]
fn timeouts_and_nonblocking_mode() {
  let (mut a, _b) = connected_tcp();
  let mut buf = [0u8; 4];
  a.set_timeout(Timeout::NonBlocking).unwrap();
  let e = a.io().recv_into(&mut buf, 0).unwrap_err();
  assert!(e.is_would_block(), "{e:?}");
  assert_eq!(constants::errno_name(e.errno().unwrap()), Some("EAGAIN"));

  a.set_timeout(Timeout::After(Duration::from_millis(60))).unwrap();
  let t = Instant::now();
  assert_eq!(a.io().recv_into(&mut buf, 0), Err(Error::Timeout { syscall: "recv" }));
  assert!(t.elapsed() >= Duration::from_millis(55), "{:?}", t.elapsed());

  // Back to blocking: data that arrives later is waited for.
  a.set_timeout(Timeout::Blocking).unwrap();
  assert_eq!(a.timeout(), Timeout::Blocking);
}

#[test]
fn timeout_mode_accept_and_connect_refused() {
  let mut l = tcp_listener();
  l.set_timeout(Timeout::After(Duration::from_millis(50))).unwrap();
  assert_eq!(
    l.accept(Timeout::Blocking).map(drop),
    Err(Error::Timeout { syscall: "accept" })
  );
  let target = l.local_addr().unwrap();
  drop(l);
  let s = Socket::new(c::AF_INET, c::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
  let errno = s.io().connect_ex(&target).unwrap();
  assert_eq!(constants::errno_name(errno), Some("ECONNREFUSED"), "errno {errno}");
}

#[test]
fn options_round_trip() {
  let s = Socket::new(c::AF_INET, c::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
  let reuse = constants::get("SO_REUSEADDR").unwrap() as i32;
  let nodelay = constants::get("TCP_NODELAY").unwrap() as i32;
  let tcp = constants::get("IPPROTO_TCP").unwrap() as i32;
  s.setsockopt_int(c::SOL_SOCKET, reuse, 1).unwrap();
  assert_ne!(s.getsockopt_int(c::SOL_SOCKET, reuse).unwrap(), 0);
  s.setsockopt_int(tcp, nodelay, 1).unwrap();
  assert_ne!(s.getsockopt_int(tcp, nodelay).unwrap(), 0);
  let ty = constants::get("SO_TYPE").unwrap() as i32;
  assert_eq!(s.getsockopt_int(c::SOL_SOCKET, ty).unwrap(), c::SOCK_STREAM);
}

#[test]
fn dup_adopt_and_inheritance() {
  let (a, b) = connected_tcp();
  assert!(!a.inheritable().unwrap(), "new sockets are not inheritable (PEP 446)");
  a.set_inheritable(true).unwrap();
  assert!(a.inheritable().unwrap());
  a.set_inheritable(false).unwrap();

  let d = a.dup().unwrap();
  assert_ne!(d.fileno(), a.fileno());
  assert!(!d.inheritable().unwrap());
  d.io().sendall(b"via dup", 0).unwrap();
  let mut buf = [0u8; 16];
  assert_eq!(b.io().recv_into(&mut buf, 0).unwrap(), 7);

  let raw = d.detach();
  let adopted = Socket::adopt(raw, None, None, None, Timeout::Blocking).unwrap();
  assert_eq!((adopted.family(), adopted.socktype()), (c::AF_INET, c::SOCK_STREAM));
  adopted.close().unwrap();
}

#[test]
fn ipv6_loopback_when_available() {
  let s = match Socket::new(c::AF_INET6, c::SOCK_DGRAM, 0, Timeout::Blocking) {
    Ok(s) => s,
    Err(e) => {
      println!("skipped: no IPv6 here ({e})");
      return;
    }
  };
  if let Err(e) = s.bind(
    &addr::encode(
      c::AF_INET6,
      &Spec::Inet6 {
        host: "::1",
        port: 0,
        flowinfo: 0,
        scope_id: 0,
      },
    )
    .unwrap(),
  ) {
    println!("skipped: ::1 cannot be bound here ({e})");
    return;
  }
  match addr::decode(&s.local_addr().unwrap()) {
    Some(Address::Inet6(a)) => assert_eq!(a.ip().to_string(), "::1"),
    other => panic!("{other:?}"),
  }
}

#[test]
fn unix_stream_on_a_path() {
  let dir = std::env::temp_dir().join(format!("bsds-portable-{}", std::process::id()));
  std::fs::create_dir_all(&dir).unwrap();
  let path = dir.join("s.sock");
  let _ = std::fs::remove_file(&path);
  let l = match Socket::new(c::AF_UNIX, c::SOCK_STREAM, 0, Timeout::Blocking) {
    Ok(l) => l,
    Err(e) => {
      println!("skipped: no AF_UNIX here ({e})");
      return;
    }
  };
  let name = path.to_string_lossy().into_owned();
  l.bind(&addr::unix(name.as_bytes()).unwrap()).unwrap();
  l.listen(1).unwrap();
  let client = Socket::new(c::AF_UNIX, c::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
  client.io().connect(&addr::unix(name.as_bytes()).unwrap()).unwrap();
  let (server, _) = l.accept(Timeout::Blocking).unwrap();
  client.io().sendall(b"local", 0).unwrap();
  let mut buf = [0u8; 8];
  assert_eq!(server.io().recv_into(&mut buf, 0).unwrap(), 5);
  match addr::decode(&l.local_addr().unwrap()) {
    Some(Address::Unix(p)) => assert_eq!(p, name.as_bytes()),
    other => panic!("{other:?}"),
  }
  drop((client, server, l));
  let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn resolver_and_helpers() {
  let list = resolve::getaddrinfo(Some("127.0.0.1"), Some("80"), c::AF_INET, c::SOCK_STREAM, 0, 0).unwrap();
  assert_eq!(list.len(), 1);
  assert_eq!(
    addr::decode(&list[0].addr).unwrap(),
    Address::Inet("127.0.0.1:80".parse().unwrap())
  );
  let e = resolve::getaddrinfo(Some("no-such-host.invalid"), None, c::AF_INET, 0, 0, 0).unwrap_err();
  assert!(matches!(e, Error::Gai { .. }), "{e:?}");
  assert!(!e.to_string().is_empty());
  assert!(!resolve::gethostname().unwrap().is_empty());
  assert_eq!(
    bsd_sockets_core::inet::inet_pton(c::AF_INET6, "::1").unwrap(),
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
  );
  assert_eq!(
    bsd_sockets_core::inet::inet_ntop(c::AF_INET, &[10, 0, 0, 1]).unwrap(),
    "10.0.0.1"
  );
  let interfaces = bsd_sockets_core::inet::if_nameindex().unwrap();
  assert!(!interfaces.is_empty());
  let (index, name) = &interfaces[0];
  assert_eq!(bsd_sockets_core::inet::if_indextoname(*index).unwrap(), *name);
}

#[test]
fn detach_then_close_by_number() {
  let s = Socket::new(c::AF_INET, c::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
  let raw = s.detach();
  bsd_sockets_core::socket::close_fd(raw).unwrap();
  // The number is not touched again: another test thread may own it by now.
  assert_eq!(bsd_sockets_core::raw_from_i64(-1), None);
}
