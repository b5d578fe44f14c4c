//! `sendmsg(2)`/`recvmsg(2)` with scatter/gather buffers and ancillary data
//! (control messages): the one place that builds and walks `cmsghdr` chains.

use std::mem;

use socket2::SockAddr;

use crate::sys::c::c_int;

#[cfg(unix)]
pub(crate) use unix::{encode_control, recvmsg, sendmsg};
#[cfg(windows)]
pub(crate) use windows::{encode_control, recvmsg, sendmsg};

/// One control message: `(level, type, data)`, as in Python's `ancdata` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmsg {
  /// `cmsg_level`, e.g. SOL_SOCKET.
  pub level: c_int,
  /// `cmsg_type`, e.g. SCM_RIGHTS.
  pub kind: c_int,
  /// The payload (for SCM_RIGHTS: native-endian `int` fds).
  pub data: Vec<u8>,
}

/// What `recvmsg` returns.
#[derive(Debug)]
pub struct RecvMsg {
  /// Bytes of data received (over all buffers).
  pub nbytes: usize,
  /// Control messages, in kernel order; a truncated last one keeps the bytes that fit.
  pub ancillary: Vec<Cmsg>,
  /// `msg_flags` (MSG_TRUNC, MSG_CTRUNC, …).
  pub flags: c_int,
  /// The sender's address; `len() == 0` when the kernel gave none.
  pub addr: SockAddr,
}

/// A control buffer of `size` bytes, aligned for `cmsghdr`.
pub(crate) fn control_buffer(size: usize) -> Vec<u64> {
  vec![0u64; size.div_ceil(mem::size_of::<u64>())]
}

/// Control messages and `recvmsg`/`sendmsg` on Unix.
#[cfg(unix)]
mod unix {
  use std::io;
  use std::mem;
  use std::os::fd::RawFd;

  use libc::c_int;
  use socket2::{SockAddr, SockAddrStorage};

  use super::{control_buffer, Cmsg, RecvMsg};
  use crate::error::{Error, Result};

  /// Lays out `items` as a `cmsghdr` chain, each padded to CMSG_SPACE as the kernel expects.
  pub(crate) fn encode_control(items: &[Cmsg]) -> Result<Vec<u64>> {
    let mut total = 0usize;
    for c in items {
      let len = u32::try_from(c.data.len()).map_err(|_| Error::out_of_range("ancillary data item is too large"))?;
      // SAFETY: CMSG_SPACE is pure arithmetic.
      total = total
        .checked_add(unsafe { libc::CMSG_SPACE(len) } as usize)
        .ok_or_else(|| Error::out_of_range("ancillary data is too large"))?;
    }
    let mut buf = control_buffer(total);
    if items.is_empty() {
      return Ok(buf);
    }
    // SAFETY: a msghdr that only describes our control buffer, walked with the CMSG_*
    // macros, which stay within msg_controllen (sized from the same CMSG_SPACE values).
    unsafe {
      let mut msg: libc::msghdr = mem::zeroed();
      msg.msg_control = buf.as_mut_ptr().cast();
      msg.msg_controllen = total as _;
      let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
      for c in items {
        if cmsg.is_null() {
          return Err(Error::out_of_range("ancillary data does not fit"));
        }
        (*cmsg).cmsg_level = c.level;
        (*cmsg).cmsg_type = c.kind;
        (*cmsg).cmsg_len = libc::CMSG_LEN(c.data.len() as u32) as _;
        std::ptr::copy_nonoverlapping(c.data.as_ptr(), libc::CMSG_DATA(cmsg), c.data.len());
        cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
      }
    }
    Ok(buf)
  }

  fn io_slices_mut(bufs: &mut [&mut [u8]]) -> Vec<libc::iovec> {
    bufs
      .iter_mut()
      .map(|b| libc::iovec {
        iov_base: b.as_mut_ptr().cast(),
        iov_len: b.len(),
      })
      .collect()
  }

  /// One `recvmsg(2)` call (EINTR/EAGAIN are the caller's).
  /// `control_len` is the exact room offered to the kernel (it decides MSG_CTRUNC); the
  /// buffer behind it is rounded up for alignment.
  pub(crate) fn recvmsg(
    fd: RawFd,
    bufs: &mut [&mut [u8]],
    control: &mut [u64],
    control_len: usize,
    flags: c_int,
  ) -> io::Result<RecvMsg> {
    let mut iov = io_slices_mut(bufs);
    let mut storage = SockAddrStorage::zeroed();
    let control_len = control_len.min(mem::size_of_val(control));
    // SAFETY: every pointer in msg refers to live buffers of the stated lengths; the kernel
    // writes at most those lengths back.
    unsafe {
      let mut msg: libc::msghdr = mem::zeroed();
      msg.msg_name = (&mut storage as *mut SockAddrStorage).cast();
      msg.msg_namelen = storage.size_of();
      msg.msg_iov = iov.as_mut_ptr();
      msg.msg_iovlen = iov.len() as _;
      if control_len > 0 {
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = control_len as _;
      }
      let n = libc::recvmsg(fd, &mut msg, flags);
      if n < 0 {
        return Err(io::Error::last_os_error());
      }
      let ancillary = if control_len > 0 {
        decode_control(&msg)
      } else {
        Vec::new()
      };
      Ok(RecvMsg {
        nbytes: n as usize,
        ancillary,
        flags: msg.msg_flags,
        addr: SockAddr::new(storage, msg.msg_namelen),
      })
    }
  }

  /// Walks the control messages the kernel wrote. With MSG_CTRUNC the last header may
  /// claim more than the buffer holds: only the bytes actually present are returned.
  ///
  /// # Safety
  /// `msg` must be a msghdr just filled in by `recvmsg`.
  // msg_controllen/cmsg_len are usize on glibc but u32 on musl and Apple.
  #[allow(clippy::unnecessary_cast)]
  unsafe fn decode_control(msg: &libc::msghdr) -> Vec<Cmsg> {
    let mut out = Vec::new();
    let start = msg.msg_control as usize;
    let end = start + msg.msg_controllen as usize;
    // SAFETY: CMSG_FIRSTHDR/NXTHDR stay inside msg_control..+msg_controllen.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(msg) };
    while !cmsg.is_null() {
      // SAFETY: cmsg points to a header inside the control buffer.
      let (level, kind, len) = unsafe { ((*cmsg).cmsg_level, (*cmsg).cmsg_type, (*cmsg).cmsg_len as usize) };
      // SAFETY: CMSG_DATA is pointer arithmetic on a valid header.
      let data = unsafe { libc::CMSG_DATA(cmsg) } as usize;
      let header = data - cmsg as usize;
      if len < header {
        break;
      }
      let avail = end.saturating_sub(data);
      let n = (len - header).min(avail);
      // SAFETY: [data, data + n) lies within the control buffer.
      let bytes = unsafe { std::slice::from_raw_parts(data as *const u8, n) }.to_vec();
      out.push(Cmsg {
        level,
        kind,
        data: bytes,
      });
      // SAFETY: as above.
      cmsg = unsafe { libc::CMSG_NXTHDR(msg, cmsg) };
    }
    out
  }

  /// One `sendmsg(2)` call (EINTR/EAGAIN are the caller's).
  pub(crate) fn sendmsg(
    fd: RawFd,
    bufs: &[&[u8]],
    control: &[u64],
    flags: c_int,
    addr: Option<&SockAddr>,
  ) -> io::Result<usize> {
    let iov: Vec<libc::iovec> = bufs
      .iter()
      .map(|b| libc::iovec {
        iov_base: b.as_ptr() as *mut libc::c_void,
        iov_len: b.len(),
      })
      .collect();
    // SAFETY: msg only points at buffers that live for the call; the kernel reads them.
    unsafe {
      let mut msg: libc::msghdr = mem::zeroed();
      if let Some(a) = addr {
        msg.msg_name = a.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = a.len();
      }
      msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
      msg.msg_iovlen = iov.len() as _;
      let control_len = mem::size_of_val(control);
      if control_len > 0 {
        msg.msg_control = control.as_ptr() as *mut libc::c_void;
        msg.msg_controllen = control_len as _;
      }
      let n = libc::sendmsg(fd, &msg, flags);
      if n < 0 {
        return Err(io::Error::last_os_error());
      }
      Ok(n as usize)
    }
  }
}

/// Winsock has no `sendmsg` for stream sockets and its `WSARecvMsg` is an extension
/// function that carries no `SCM_RIGHTS`: like CPython on Windows, there is no
/// `sendmsg`/`recvmsg` there, and the calls fail with `EOPNOTSUPP`.
#[cfg(windows)]
mod windows {
  use std::io;

  use socket2::SockAddr;

  use super::{Cmsg, RecvMsg};
  use crate::error::{Error, Result};
  use crate::sys::{c, RawSock};

  fn unsupported() -> io::Error {
    io::Error::from_raw_os_error(c::EOPNOTSUPP)
  }

  pub(crate) fn encode_control(items: &[Cmsg]) -> Result<Vec<u64>> {
    if items.is_empty() {
      Ok(Vec::new())
    } else {
      Err(Error::os(c::EOPNOTSUPP, "sendmsg"))
    }
  }

  pub(crate) fn recvmsg(
    _fd: RawSock,
    _bufs: &mut [&mut [u8]],
    _control: &mut [u64],
    _control_len: usize,
    _flags: i32,
  ) -> io::Result<RecvMsg> {
    Err(unsupported())
  }

  pub(crate) fn sendmsg(
    _fd: RawSock,
    _bufs: &[&[u8]],
    _control: &[u64],
    _flags: i32,
    _addr: Option<&SockAddr>,
  ) -> io::Result<usize> {
    Err(unsupported())
  }
}

/// The fds inside SCM_RIGHTS messages (whole `int`s only: a truncated array keeps the
/// complete entries).
#[cfg(unix)]
pub fn rights(ancillary: &[Cmsg]) -> Vec<std::os::fd::RawFd> {
  ancillary
    .iter()
    .filter(|c| c.level == libc::SOL_SOCKET && c.kind == libc::SCM_RIGHTS)
    .flat_map(|c| c.data.chunks_exact(mem::size_of::<c_int>()))
    .map(|b| c_int::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    .collect()
}

/// An SCM_RIGHTS message carrying `fds`.
#[cfg(unix)]
pub fn rights_message(fds: &[std::os::fd::RawFd]) -> Cmsg {
  Cmsg {
    level: libc::SOL_SOCKET,
    kind: libc::SCM_RIGHTS,
    data: fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect(),
  }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
  use super::*;
  use crate::socket::Socket;
  use crate::timeout::Timeout;

  #[test]
  fn fds_travel_close_on_exec() {
    let (a, b) = Socket::pair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, Timeout::Blocking).unwrap();
    let (x, _y) = Socket::pair(libc::AF_UNIX, libc::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
    x.set_inheritable(true).unwrap();
    a.io()
      .sendmsg(&[b"fd"], &[rights_message(&[x.fileno()])], 0, None)
      .unwrap();
    let mut buf = [0u8; 8];
    let got = b.io().recvmsg_into(&mut [&mut buf], 64, 0).unwrap();
    assert_eq!(got.nbytes, 2);
    let fds = rights(&got.ancillary);
    assert_eq!(fds.len(), 1);
    let received = Socket::adopt(fds[0], None, None, None, Timeout::Blocking).unwrap();
    assert!(!received.inheritable().unwrap());
    assert_ne!(received.fileno(), x.fileno());
  }

  #[test]
  fn too_small_control_buffer_sets_ctrunc() {
    let (a, b) = Socket::pair(libc::AF_UNIX, libc::SOCK_DGRAM, 0, Timeout::Blocking).unwrap();
    let (x, y) = Socket::pair(libc::AF_UNIX, libc::SOCK_STREAM, 0, Timeout::Blocking).unwrap();
    a.io()
      .sendmsg(&[b"x"], &[rights_message(&[x.fileno(), y.fileno()])], 0, None)
      .unwrap();
    let mut buf = [0u8; 8];
    // SAFETY: arithmetic only.
    let room = unsafe { libc::CMSG_LEN(4) } as usize;
    let got = b.io().recvmsg_into(&mut [&mut buf], room, 0).unwrap();
    assert_ne!(got.flags & libc::MSG_CTRUNC, 0);
    for fd in rights(&got.ancillary) {
      drop(Socket::adopt(fd, None, None, None, Timeout::Blocking).unwrap());
    }
  }
}
