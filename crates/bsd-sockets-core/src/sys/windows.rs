//! The Winsock backend.
//!
//! What Windows has, it gets the way CPython's socketmodule.c does it there: `FIONBIO`
//! for the timeout modes, `select` for waits, `SO_PROTOCOL_INFOW` for an adopted
//! socket's family/type/protocol, `HANDLE_FLAG_INHERIT` for inheritability,
//! `WSADuplicateSocketW` for `dup`, a loopback listener for `socketpair`. AF_UNIX is
//! stream-only (no SEQPACKET, no abstract names, no fd passing); `sendfile` (which the
//! Node layer replaces with read-and-send, as CPython does), `sendmsg`/`recvmsg` and
//! `sethostname` fail with `EOPNOTSUPP`.

use std::io;
use std::os::windows::io::{AsRawSocket, AsSocket, BorrowedSocket, FromRawSocket, IntoRawSocket, RawSocket};
use std::sync::Once;

use socket2::{Domain, Protocol, SockAddr, SockRef, Type};
use windows_sys::Win32::Foundation as f;
use windows_sys::Win32::NetworkManagement::IpHelper as ip;
use windows_sys::Win32::Networking::WinSock as ws;

#[path = "windows_c.rs"]
pub mod c;

use c::c_int;

/// A socket handle: a Winsock `SOCKET`.
pub type RawSock = RawSocket;
/// A borrowed socket handle.
pub type Borrowed<'a> = BorrowedSocket<'a>;

pub(crate) fn as_raw(s: &socket2::Socket) -> RawSock {
  s.as_raw_socket()
}

pub(crate) fn borrow(s: &socket2::Socket) -> Borrowed<'_> {
  s.as_socket()
}

pub(crate) fn raw_of(b: Borrowed<'_>) -> RawSock {
  b.as_raw_socket()
}

/// # Safety
/// `fd` must stay open for `'a`.
pub(crate) unsafe fn borrow_raw<'a>(fd: RawSock) -> Borrowed<'a> {
  // SAFETY: forwarded to the caller.
  unsafe { BorrowedSocket::borrow_raw(fd) }
}

/// # Safety
/// `fd` must be an open socket the caller gives up.
pub(crate) unsafe fn from_raw(fd: RawSock) -> socket2::Socket {
  // SAFETY: forwarded to the caller.
  unsafe { socket2::Socket::from_raw_socket(fd) }
}

pub(crate) fn into_raw(s: socket2::Socket) -> RawSock {
  s.into_raw_socket()
}

/// A handle number from JavaScript, if it can name one (`INVALID_SOCKET` cannot).
pub fn raw_from_i64(v: i64) -> Option<RawSock> {
  u64::try_from(v).ok().filter(|s| *s != ws::INVALID_SOCKET as u64)
}

/// `WSAStartup` once per process, before the first resolver call (socket2 does it for
/// socket creation; `getaddrinfo` may come first).
pub(crate) fn startup() {
  static START: Once = Once::new();
  START.call_once(|| {
    // SAFETY: WSADATA is plain data that WSAStartup fills. Never paired with
    // WSACleanup: the process keeps Winsock until it exits, as std does.
    unsafe {
      let mut data: ws::WSADATA = std::mem::zeroed();
      ws::WSAStartup(0x0202, &mut data);
    }
  });
}

/// Winsock has no per-call flags for these: sends never raise signals, handles are
/// created non-inheritable by socket2, and non-blocking mode is `FIONBIO` only.
pub(crate) const MSG_NOSIGNAL: c_int = 0;
pub(crate) const MSG_CMSG_CLOEXEC: c_int = 0;
pub(crate) const TYPE_FLAGS: c_int = 0;
pub(crate) const SOCK_NONBLOCK: c_int = 0;
pub(crate) const MSG_DONTWAIT: c_int = 0;

fn cvt(r: c_int) -> io::Result<c_int> {
  if r == ws::SOCKET_ERROR {
    Err(io::Error::last_os_error())
  } else {
    Ok(r)
  }
}

fn handle(fd: RawSock) -> ws::SOCKET {
  fd as ws::SOCKET
}

/// Waits for one socket with `select`, as CPython does on Windows: write interest also
/// watches the exception set, where a failed non-blocking `connect` shows up (`WSAPoll`
/// never reports one before Windows 10 2004). Returns `POLLIN`/`POLLOUT`/`POLLERR` bits
/// for what is ready (0 on timeout); `timeout_ms < 0` waits for ever.
pub(crate) fn poll_one(fd: RawSock, events: i16, timeout_ms: c_int) -> io::Result<i16> {
  let one = |wanted: bool| ws::FD_SET {
    fd_count: u32::from(wanted),
    fd_array: [handle(fd); 64],
  };
  let mut read = one(events & POLLIN != 0);
  let mut write = one(events & POLLOUT != 0);
  let mut except = one(events & POLLOUT != 0);
  let tv = ws::TIMEVAL {
    tv_sec: timeout_ms / 1000,
    tv_usec: (timeout_ms % 1000) * 1000,
  };
  let tv_ptr = if timeout_ms < 0 {
    std::ptr::null()
  } else {
    &tv as *const ws::TIMEVAL
  };
  // SAFETY: three valid FD_SETs (each with at most one entry, `fd`) and a valid or NULL
  // timeout; the first argument is ignored by Winsock.
  let n = cvt(unsafe { ws::select(0, &mut read, &mut write, &mut except, tv_ptr) })?;
  if n == 0 {
    return Ok(0);
  }
  let mut revents = 0;
  if read.fd_count > 0 {
    revents |= POLLIN;
  }
  if write.fd_count > 0 {
    revents |= POLLOUT;
  }
  if except.fd_count > 0 {
    revents |= ws::POLLERR;
  }
  Ok(revents)
}

pub(crate) const POLLIN: i16 = ws::POLLRDNORM;
pub(crate) const POLLOUT: i16 = ws::POLLWRNORM;

/// Sets or clears `FIONBIO`.
pub(crate) fn set_nonblocking(fd: RawSock, on: bool) -> io::Result<()> {
  let mut arg: u32 = on.into();
  // SAFETY: FIONBIO takes a pointer to a u32.
  cvt(unsafe { ws::ioctlsocket(handle(fd), ws::FIONBIO, &mut arg) }).map(drop)
}

/// Winsock cannot report `FIONBIO`. Wanting non-blocking mode sets it (CPython's
/// `init_sockobject` does); otherwise it is left alone and unknown, since it is shared
/// with every handle `WSADuplicateSocket` made for the same socket.
pub(crate) fn nonblocking_state(fd: RawSock, want: bool) -> io::Result<Option<bool>> {
  if want {
    set_nonblocking(fd, true)?;
    return Ok(Some(true));
  }
  Ok(None)
}

/// A blocking Winsock socket never says `WSAEWOULDBLOCK`: after one, it is non-blocking.
pub(crate) fn nonblocking_after_eagain(_fd: RawSock) -> bool {
  true
}

/// A non-blocking `connect` that goes on in the background says `WSAEWOULDBLOCK`
/// (`WSAEINPROGRESS` is another thing in Winsock 2: a blocking 1.1 call under way).
pub(crate) fn connect_in_progress(errno: c_int) -> bool {
  errno == ws::WSAEWOULDBLOCK
}

/// The `TCP_QUICKACK` of Windows: `SIO_TCP_SET_ACK_FREQUENCY`, an ioctl CPython's
/// `setsockopt` issues for that option name (and whose value its `getsockopt` returns
/// from memory, since Winsock cannot report it).
pub(crate) const ACK_FREQUENCY_OPTION: Option<c_int> = Some(ws::SIO_TCP_SET_ACK_FREQUENCY as c_int);

/// Winsock has no `socketpair`: like CPython there, a listener on the loopback address
/// of `domain`, one connect, one accept, and a check that the accepted peer is our
/// client (another local process could race for the port). Stream sockets only.
pub(crate) fn socketpair(
  domain: Domain,
  ty: Type,
  protocol: Option<Protocol>,
) -> io::Result<(socket2::Socket, socket2::Socket)> {
  let loopback: std::net::SocketAddr = if domain == Domain::IPV4 {
    (std::net::Ipv4Addr::LOCALHOST, 0).into()
  } else if domain == Domain::IPV6 {
    (std::net::Ipv6Addr::LOCALHOST, 0).into()
  } else {
    return Err(io::Error::from_raw_os_error(c::EAFNOSUPPORT));
  };
  if ty != Type::STREAM || protocol.is_some_and(|p| p != Protocol::from(0)) {
    return Err(io::Error::from_raw_os_error(c::EOPNOTSUPP));
  }
  let listener = socket2::Socket::new(domain, ty, None)?;
  listener.bind(&SockAddr::from(loopback))?;
  listener.listen(1)?;
  let client = socket2::Socket::new(domain, ty, None)?;
  client.connect(&listener.local_addr()?)?;
  let (server, peer) = listener.accept()?;
  if peer.as_socket() != client.local_addr()?.as_socket() {
    return Err(io::Error::from_raw_os_error(c::ECONNRESET));
  }
  Ok((server, client))
}

/// `getsockopt` into `buf`; returns the length written.
pub(crate) fn getsockopt(fd: RawSock, level: c_int, name: c_int, buf: &mut [u8]) -> io::Result<usize> {
  let mut len = buf.len().min(c_int::MAX as usize) as c_int;
  // SAFETY: buf is writable for len bytes.
  cvt(unsafe { ws::getsockopt(handle(fd), level, name, buf.as_mut_ptr(), &mut len) })?;
  Ok(len.max(0) as usize)
}

/// `setsockopt` with `value` (NULL when `None`) and `len`.
pub(crate) fn setsockopt(fd: RawSock, level: c_int, name: c_int, value: Option<&[u8]>, len: u32) -> io::Result<()> {
  let ptr = value.map_or(std::ptr::null(), |v| v.as_ptr());
  let len = c_int::try_from(len).map_err(|_| io::Error::from_raw_os_error(c::EINVAL))?;
  // SAFETY: value is readable for len bytes (the caller passes its length), or NULL.
  cvt(unsafe { ws::setsockopt(handle(fd), level, name, ptr, len) }).map(drop)
}

/// True when the handle is *not* inheritable.
pub(crate) fn get_cloexec(fd: RawSock) -> io::Result<bool> {
  let mut flags = 0u32;
  // SAFETY: a SOCKET is a kernel HANDLE; flags is writable.
  if unsafe { f::GetHandleInformation(handle(fd) as f::HANDLE, &mut flags) } == 0 {
    return Err(io::Error::last_os_error());
  }
  Ok(flags & f::HANDLE_FLAG_INHERIT == 0)
}

/// Sets or clears `HANDLE_FLAG_INHERIT` (cleared when `on`).
pub(crate) fn set_cloexec(fd: RawSock, on: bool) -> io::Result<()> {
  let value = if on { 0 } else { f::HANDLE_FLAG_INHERIT };
  // SAFETY: a SOCKET is a kernel HANDLE.
  if unsafe { f::SetHandleInformation(handle(fd) as f::HANDLE, f::HANDLE_FLAG_INHERIT, value) } == 0 {
    return Err(io::Error::last_os_error());
  }
  Ok(())
}

/// A new, non-inheritable handle for the same socket (`WSADuplicateSocketW`).
pub(crate) fn dup_cloexec(fd: RawSock) -> io::Result<RawSock> {
  // SAFETY: the handle is only borrowed for the duplication.
  let borrowed = unsafe { BorrowedSocket::borrow_raw(fd) };
  SockRef::from(&borrowed).try_clone().map(into_raw)
}

/// Family, type and protocol of an open socket, from its `WSAPROTOCOL_INFOW`.
pub(crate) fn socket_kind(fd: RawSock) -> io::Result<(c_int, c_int, c_int)> {
  // SAFETY: WSAPROTOCOL_INFOW is plain data.
  let mut info: ws::WSAPROTOCOL_INFOW = unsafe { std::mem::zeroed() };
  let mut len = std::mem::size_of::<ws::WSAPROTOCOL_INFOW>() as c_int;
  // SAFETY: info is writable for len bytes.
  cvt(unsafe {
    ws::getsockopt(
      handle(fd),
      ws::SOL_SOCKET,
      ws::SO_PROTOCOL_INFOW,
      (&mut info as *mut ws::WSAPROTOCOL_INFOW).cast(),
      &mut len,
    )
  })?;
  Ok((info.iAddressFamily, info.iSocketType, info.iProtocol))
}

/// `shutdown` with the caller's `how`, unchecked (Winsock says WSAEINVAL for bad values).
pub(crate) fn shutdown(fd: RawSock, how: c_int) -> io::Result<()> {
  // SAFETY: plain call on a socket we own.
  cvt(unsafe { ws::shutdown(handle(fd), how) }).map(drop)
}

/// `closesocket`.
pub(crate) fn close(fd: RawSock) -> io::Result<()> {
  // SAFETY: the caller gives up ownership of fd.
  cvt(unsafe { ws::closesocket(handle(fd)) }).map(drop)
}

/// Winsock's `TransmitFile` wants a file HANDLE and overlapped I/O; not offered.
pub(crate) fn sendfile(_out: RawSock, _in: c_int, _offset: &mut i64, _count: usize) -> io::Result<usize> {
  Err(io::Error::from_raw_os_error(c::EOPNOTSUPP))
}

pub(crate) fn pread(_fd: c_int, _buf: &mut [u8], _offset: i64) -> io::Result<usize> {
  Err(io::Error::from_raw_os_error(c::EOPNOTSUPP))
}

pub(crate) fn seek(_fd: c_int, _pos: i64) -> io::Result<()> {
  Err(io::Error::from_raw_os_error(c::EOPNOTSUPP))
}

/// `WSADuplicateSocketW` for process `pid`: the `WSAPROTOCOL_INFOW` it fills, as bytes,
/// which `fromshare` in that process turns into a socket.
pub(crate) fn share(fd: RawSock, pid: u32) -> io::Result<Vec<u8>> {
  // SAFETY: WSAPROTOCOL_INFOW is plain data that the call fills.
  let mut info: ws::WSAPROTOCOL_INFOW = unsafe { std::mem::zeroed() };
  // SAFETY: info is writable.
  cvt(unsafe { ws::WSADuplicateSocketW(handle(fd), pid, &mut info) })?;
  // SAFETY: info is initialised plain data of exactly this size.
  let bytes = unsafe {
    std::slice::from_raw_parts(
      (&info as *const ws::WSAPROTOCOL_INFOW).cast::<u8>(),
      std::mem::size_of::<ws::WSAPROTOCOL_INFOW>(),
    )
  };
  Ok(bytes.to_vec())
}

/// `WSASocketW(FROM_PROTOCOL_INFO…)` from bytes `share` made: the socket (not
/// inheritable) with its family, type and protocol.
pub(crate) fn fromshare(data: &[u8]) -> io::Result<(socket2::Socket, c_int, c_int, c_int)> {
  let size = std::mem::size_of::<ws::WSAPROTOCOL_INFOW>();
  if data.len() != size {
    return Err(io::Error::new(
      io::ErrorKind::InvalidInput,
      format!("fromshare() takes the {size} bytes share() returns, not {}", data.len()),
    ));
  }
  // SAFETY: plain data of the right size, copied (data need not be aligned).
  let info: ws::WSAPROTOCOL_INFOW = unsafe { std::ptr::read_unaligned(data.as_ptr().cast()) };
  startup();
  // SAFETY: info describes a shared socket; the new handle is ours.
  let s = unsafe {
    ws::WSASocketW(
      ws::FROM_PROTOCOL_INFO,
      ws::FROM_PROTOCOL_INFO,
      ws::FROM_PROTOCOL_INFO,
      &info,
      0,
      ws::WSA_FLAG_OVERLAPPED | ws::WSA_FLAG_NO_HANDLE_INHERIT,
    )
  };
  if s == ws::INVALID_SOCKET {
    return Err(io::Error::last_os_error());
  }
  // SAFETY: a new socket we own.
  let sock = unsafe { from_raw(s as RawSock) };
  Ok((sock, info.iAddressFamily, info.iSocketType, info.iProtocol))
}

/// `WSAIoctl` with an input buffer and no output, for the controls CPython knows
/// (`SIO_RCVALL`, `SIO_KEEPALIVE_VALS`, `SIO_LOOPBACK_FAST_PATH`) and
/// `SIO_TCP_SET_ACK_FREQUENCY`. Others are refused here, not in the caller: some
/// controls take structures holding pointers, which bytes from a caller must not become.
pub(crate) fn ioctl_in(fd: RawSock, control: u32, input: &[u8]) -> io::Result<()> {
  let expected = match control {
    ws::SIO_RCVALL | ws::SIO_LOOPBACK_FAST_PATH | ws::SIO_TCP_SET_ACK_FREQUENCY => 4,
    ws::SIO_KEEPALIVE_VALS => std::mem::size_of::<ws::tcp_keepalive>(),
    _ => {
      return Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("ioctl control {control:#x} is not supported"),
      ))
    }
  };
  if input.len() != expected {
    return Err(io::Error::new(
      io::ErrorKind::InvalidInput,
      format!("ioctl control {control:#x} takes {expected} bytes, not {}", input.len()),
    ));
  }
  let mut returned = 0u32;
  // SAFETY: input is readable for its length; no output buffer, no overlapped I/O.
  cvt(unsafe {
    ws::WSAIoctl(
      handle(fd),
      control,
      input.as_ptr().cast(),
      input.len() as u32,
      std::ptr::null_mut(),
      0,
      &mut returned,
      std::ptr::null_mut(),
      None,
    )
  })
  .map(drop)
}

/// Windows has no SIGPIPE.
pub(crate) struct SigpipeGuard;

impl SigpipeGuard {
  pub(crate) fn new() -> SigpipeGuard {
    SigpipeGuard
  }
}

/// Every network interface as `(index, name)`, from `GetIfTable2`, names by
/// `ConvertInterfaceLuidToNameA` (as CPython's `if_nameindex` on Windows).
pub(crate) fn if_nameindex() -> io::Result<Vec<(u32, String)>> {
  let mut table: *mut ip::MIB_IF_TABLE2 = std::ptr::null_mut();
  // SAFETY: GetIfTable2 allocates the table, freed below with FreeMibTable.
  let rc = unsafe { ip::GetIfTable2(&mut table) };
  if rc != 0 {
    return Err(io::Error::from_raw_os_error(rc as i32));
  }
  let mut out = Vec::new();
  // SAFETY: the table holds NumEntries rows after its header.
  unsafe {
    let rows = std::ptr::addr_of!((*table).Table).cast::<ip::MIB_IF_ROW2>();
    for i in 0..(*table).NumEntries as usize {
      let row = &*rows.add(i);
      let mut name = [0u8; c::IF_NAMESIZE];
      if ip::ConvertInterfaceLuidToNameA(&row.InterfaceLuid, name.as_mut_ptr(), name.len()) == 0 {
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        out.push((row.InterfaceIndex, String::from_utf8_lossy(&name[..end]).into_owned()));
      }
    }
    ip::FreeMibTable(table.cast());
  }
  Ok(out)
}

/// `gai_strerror`: Winsock's `getaddrinfo` codes are WSA errors, described by the system
/// message table (ws2tcpip.h's inline `gai_strerrorA` does the same).
pub(crate) fn gai_strerror(code: c_int) -> String {
  crate::error::strerror(code)
}
