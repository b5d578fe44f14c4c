import { execFileSync } from 'node:child_process'
import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_TYPE,
  SO_LINGER,
  TCP_NODELAY,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  Socket,
  SocketError,
  fromfd,
  getdefaulttimeout,
  setdefaulttimeout,
  socket,
  socketpair,
  close as closeFd,
  dup,
  hasIpv6,
} from '../src/ts/index'
import { fdIsOpen, useSockets } from './helpers'

const { track } = useSockets()
afterEach(() => setdefaulttimeout(null))

function expectSocketError(fn: () => unknown, code: string, syscall?: string): SocketError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SocketError)
    const err = e as SocketError
    expect(err.code).toBe(code)
    if (syscall) expect(err.syscall).toBe(syscall)
    return err
  }
  throw new Error(`expected ${code}`)
}

describe('creating sockets', () => {
  it('defaults to AF_INET/SOCK_STREAM/0, blocking', () => {
    const s = track(socket())
    expect([s.family, s.type, s.proto]).toEqual([AF_INET, SOCK_STREAM, 0])
    expect(s.timeout).toBeNull()
    expect(s.gettimeout()).toBeNull()
    expect(s.getblocking()).toBe(true)
    expect(s.fileno()).toBeGreaterThan(2)
    expect(s).toBeInstanceOf(Socket)
    expect(new Socket(AF_INET6, SOCK_DGRAM).family).toBe(AF_INET6)
  })

  it('every family/type of the contract opens', () => {
    for (const [f, t] of [
      [AF_INET, SOCK_STREAM],
      [AF_INET, SOCK_DGRAM],
      [AF_INET6, SOCK_STREAM],
      [AF_INET6, SOCK_DGRAM],
      [AF_UNIX, SOCK_STREAM],
      [AF_UNIX, SOCK_DGRAM],
      [AF_UNIX, SOCK_SEQPACKET],
    ] as const) {
      const s = track(socket(f, t))
      expect([s.family, s.type]).toEqual([f, t])
      expect(s.getsockopt(SOL_SOCKET, SO_TYPE)).toBe(t)
    }
  })

  it('strips SOCK_NONBLOCK/SOCK_CLOEXEC from type; SOCK_NONBLOCK means timeout 0', () => {
    setdefaulttimeout(5)
    const s = track(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC))
    expect(s.type).toBe(SOCK_STREAM)
    expect(s.timeout).toBe(0)
    expect(s.getblocking()).toBe(false)
  })

  it('reports the kernel errors CPython reports', () => {
    expectSocketError(() => socket(AF_INET, SOCK_SEQPACKET), 'ESOCKTNOSUPPORT', 'socket')
    expectSocketError(() => socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), 'EPROTONOSUPPORT', 'socket')
    expectSocketError(() => socket(12345, SOCK_STREAM), 'EAFNOSUPPORT', 'socket')
    expectSocketError(() => socket(AF_INET, 999), 'EINVAL', 'socket')
  })

  it('new sockets take the default timeout', () => {
    setdefaulttimeout(2.5)
    expect(getdefaulttimeout()).toBe(2.5)
    const s = track(socket())
    expect(s.timeout).toBe(2.5)
    expect(s.getblocking()).toBe(true)
    const [a, b] = track(socketpair())
    expect([a.timeout, b.timeout]).toEqual([2.5, 2.5])
  })

  it('setdefaulttimeout validates like settimeout', () => {
    expect(() => setdefaulttimeout(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(() => setdefaulttimeout(NaN)).toThrow(RangeError)
    expect(() => setdefaulttimeout('1' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

describe('timeout modes', () => {
  it('settimeout/setblocking follow Python', () => {
    const s = track(socket())
    s.settimeout(0)
    expect([s.gettimeout(), s.getblocking()]).toEqual([0, false])
    s.settimeout(1.5)
    expect([s.gettimeout(), s.getblocking(), s.timeout]).toEqual([1.5, true, 1.5])
    s.setblocking(false)
    expect(s.gettimeout()).toBe(0)
    s.setblocking(true)
    expect(s.gettimeout()).toBeNull()
    s.settimeout(null)
    expect(s.gettimeout()).toBeNull()
    expect(() => s.settimeout(-1)).toThrow(expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }))
    expect(() => s.settimeout(Infinity)).toThrow(RangeError)
    expect(() => s.settimeout(NaN)).toThrow(RangeError)
    expect(() => s.settimeout('1' as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }))
  })
})

describe('close, detach and the closed state', () => {
  it('close is idempotent and fileno becomes -1', () => {
    const s = socket()
    const fd = s.fileno()
    expect(fdIsOpen(fd)).toBe(true)
    s.close()
    expect(fdIsOpen(fd)).toBe(false)
    expect(s.fileno()).toBe(-1)
    expect(s.closed).toBe(true)
    s.close()
    expect(s.fileno()).toBe(-1)
  })

  it('every call on a closed socket is EBADF and never touches the old fd number', () => {
    const s = socket(AF_INET, SOCK_DGRAM)
    s.close()
    // A new socket very likely reuses the number; calls on the closed one must not reach it.
    const reuse = track(socket(AF_INET, SOCK_DGRAM))
    reuse.bind(['127.0.0.1', 0])
    const before = reuse.getsockname()
    const calls: [string, () => unknown][] = [
      ['bind', () => s.bind(['127.0.0.1', 0])],
      ['listen', () => s.listen()],
      ['accept', () => s.acceptSync()],
      ['connect', () => s.connectSync(['127.0.0.1', 9])],
      ['recv', () => s.recvSync(1)],
      ['recv', () => s.recvIntoSync(Buffer.alloc(1))],
      ['recvfrom', () => s.recvfromSync(1)],
      ['recvfrom', () => s.recvfromIntoSync(Buffer.alloc(1))],
      ['recvmsg', () => s.recvmsgSync(1)],
      ['recvmsg', () => s.recvmsgIntoSync([Buffer.alloc(1)])],
      ['send', () => s.sendSync('x')],
      ['send', () => s.sendallSync('x')],
      ['sendto', () => s.sendtoSync('x', ['127.0.0.1', 9])],
      ['sendmsg', () => s.sendmsgSync(['x'])],
      ['sendfile', () => s.sendfileSync(0)],
      ['shutdown', () => s.shutdown(2)],
      ['getsockopt', () => s.getsockopt(SOL_SOCKET, SO_TYPE)],
      ['getsockopt', () => s.getsockopt(SOL_SOCKET, SO_TYPE, 4)],
      ['setsockopt', () => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)],
      ['getsockname', () => s.getsockname()],
      ['getpeername', () => s.getpeername()],
      ['fcntl', () => s.settimeout(1)],
      ['fcntl', () => s.getInheritable()],
      ['fcntl', () => s.setInheritable(true)],
      ['dup', () => s.dup()],
      ['detach', () => s.detach()],
    ]
    for (const [syscall, call] of calls) {
      const e = expectSocketError(call, 'EBADF', syscall)
      expect(e.errno).toBe(9)
    }
    expect(s.connectExSync(['127.0.0.1', 9])).toBe(9)
    expect(reuse.getsockname()).toEqual(before)
    expect(reuse.getInheritable()).toBe(false)
    // Still answers without an fd, as in Python.
    expect(s.gettimeout()).toBeNull()
    expect([s.family, s.type, s.proto]).toEqual([AF_INET, SOCK_DGRAM, 0])
  })

  it('argument errors come before the closed check (Python order)', () => {
    const s = socket()
    s.close()
    expect(() => s.bind(['127.0.0.1', 70000])).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }))
    expect(() => s.recvSync(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
  })

  it('detach hands over the fd, still open, and closes the object', () => {
    const s = socket(AF_INET, SOCK_DGRAM)
    s.bind(['127.0.0.1', 0])
    const addr = s.getsockname()
    const fd = s.detach()
    expect(s.fileno()).toBe(-1)
    expect(fdIsOpen(fd)).toBe(true)
    const again = track(Socket.fromFd(fd))
    expect(again.getsockname()).toEqual(addr)
    expect([again.family, again.type, again.proto]).toEqual([AF_INET, SOCK_DGRAM, IPPROTO_UDP])
  })

  it('detach gives the fd the O_NONBLOCK state Python would', () => {
    const flags = (fd: number) =>
      Number(/flags:\s+(\d+)/.exec(execFileSync('cat', [`/proc/self/fdinfo/${fd}`]).toString())?.[1] ?? 'x')
    // /proc/self is the cat process; read our own fdinfo instead.
    const nonblock = (fd: number) => {
      const info = require('node:fs').readFileSync(`/proc/${process.pid}/fdinfo/${fd}`, 'utf8') as string
      return (parseInt(/flags:\s+(\d+)/.exec(info)![1]!, 8) & 0o4000) !== 0
    }
    void flags
    const blocking = socket()
    const fd1 = blocking.detach()
    expect(nonblock(fd1)).toBe(false)
    closeFd(fd1)
    const timed = socket()
    timed.settimeout(3)
    const fd2 = timed.detach()
    expect(nonblock(fd2)).toBe(true)
    closeFd(fd2)
  })

  it('Symbol.dispose closes', () => {
    let fd = -1
    {
      using s = socket()
      fd = s.fileno()
      expect(fdIsOpen(fd)).toBe(true)
    }
    expect(fdIsOpen(fd)).toBe(false)
  })

  it('close() reports an fd closed behind its back (EBADF), like CPython', () => {
    const s = socket()
    closeFd(s.fileno())
    expectSocketError(() => s.close(), 'EBADF', 'close')
    expect(s.fileno()).toBe(-1)
  })
})

describe('fds and inheritance', () => {
  it('sockets are close-on-exec; setInheritable flips it', () => {
    const s = track(socket())
    expect(s.getInheritable()).toBe(false)
    s.setInheritable(true)
    expect(s.getInheritable()).toBe(true)
    s.setInheritable(false)
    expect(s.getInheritable()).toBe(false)
    const [a, b] = track(socketpair())
    expect([a.getInheritable(), b.getInheritable()]).toEqual([false, false])
  })

  it('a child process inherits none of our sockets', () => {
    const s = track(socket())
    const [a] = track(socketpair())
    const d = track(s.dup())
    const out = execFileSync('ls', ['/proc/self/fd'], { encoding: 'utf8' }).split('\n')
    for (const fd of [s.fileno(), a.fileno(), d.fileno()]) expect(out).not.toContain(String(fd))
  })

  it('dup shares the socket, copies the timeout, and is close-on-exec', () => {
    const s = track(socket(AF_INET, SOCK_DGRAM))
    s.bind(['127.0.0.1', 0])
    s.settimeout(4)
    const d = track(s.dup())
    expect(d.fileno()).not.toBe(s.fileno())
    expect(d.getsockname()).toEqual(s.getsockname())
    expect(d.gettimeout()).toBe(4)
    expect(d.getInheritable()).toBe(false)
  })

  it('Socket.fromFd adopts (no dup) and reads family/type/proto from the kernel', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_SEQPACKET))
    const fd = a.detach()
    const s = track(Socket.fromFd(fd))
    expect(s.fileno()).toBe(fd)
    expect([s.family, s.type, s.proto]).toEqual([AF_UNIX, SOCK_SEQPACKET, 0])
    s.sendSync('via adopted fd')
    expect(b.recvSync(64).toString()).toBe('via adopted fd')
    const t = track(Socket.fromFd(track(socket()).dup().detach()))
    expect(t.proto).toBe(IPPROTO_TCP)
  })

  it('dup(fd) and hasIpv6', () => {
    const s = track(socket())
    const fd = dup(s.fileno())
    try {
      expect(fd).not.toBe(s.fileno())
      expect(track(Socket.fromFd(fd)).getInheritable()).toBe(false)
    } catch (e) {
      closeFd(fd)
      throw e
    }
    expect(() => dup(-1)).toThrow(RangeError)
    expect(hasIpv6).toBe(true)
  })

  it('fromfd duplicates: the original stays open and independent', () => {
    const s = track(socket(AF_INET, SOCK_DGRAM))
    const f = track(fromfd(s.fileno(), AF_INET, SOCK_DGRAM))
    expect(f.fileno()).not.toBe(s.fileno())
    expect(f.getInheritable()).toBe(false)
    f.close()
    expect(fdIsOpen(s.fileno())).toBe(true)
  })

  it('adopting something that is not a socket fails without closing it', () => {
    expectSocketError(() => Socket.fromFd(999_999), 'EBADF')
    const fs = require('node:fs') as typeof import('node:fs')
    const fd = fs.openSync('/dev/null', 'r')
    try {
      expectSocketError(() => Socket.fromFd(fd), 'ENOTSOCK')
      expect(fdIsOpen(fd)).toBe(true)
      expectSocketError(() => fromfd(fd, AF_INET, SOCK_STREAM), 'ENOTSOCK')
      expect(fdIsOpen(fd)).toBe(true)
    } finally {
      fs.closeSync(fd)
    }
    expect(() => Socket.fromFd(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
  })
})

describe('socket options', () => {
  it('int, bool, bytes and buflen forms', () => {
    const s = track(socket())
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    expect(s.getsockopt(SOL_SOCKET, SO_REUSEADDR)).toBe(1)
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, false)
    expect(s.getsockopt(SOL_SOCKET, SO_REUSEADDR)).toBe(0)
    s.setsockopt(IPPROTO_TCP, TCP_NODELAY, true)
    expect(s.getsockopt(IPPROTO_TCP, TCP_NODELAY)).toBe(1)
    s.setsockopt(SOL_SOCKET, SO_RCVBUF, 8192)
    // Linux doubles it for bookkeeping, as CPython shows.
    expect(s.getsockopt(SOL_SOCKET, SO_RCVBUF)).toBe(16384)
    // struct linger { int l_onoff; int l_linger; } as raw bytes both ways.
    const linger = Buffer.alloc(8)
    linger.writeInt32LE(1, 0)
    linger.writeInt32LE(7, 4)
    s.setsockopt(SOL_SOCKET, SO_LINGER, linger)
    const got = s.getsockopt(SOL_SOCKET, SO_LINGER, 8) as Buffer
    expect(Buffer.isBuffer(got)).toBe(true)
    expect([got.readInt32LE(0) !== 0, got.readInt32LE(4)]).toEqual([true, 7])
    // A larger buflen returns only what the kernel wrote.
    expect((s.getsockopt(SOL_SOCKET, SO_LINGER, 64) as Buffer).length).toBe(8)
    // buflen 0 is the int form.
    expect(s.getsockopt(SOL_SOCKET, SO_TYPE, 0)).toBe(SOCK_STREAM)
  })

  it('setsockopt(level, name, null, optlen) passes NULL (EFAULT for SO_REUSEADDR, as CPython)', () => {
    const s = track(socket())
    expectSocketError(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 4), 'EFAULT', 'setsockopt')
    expect(() => (s.setsockopt as (...a: unknown[]) => void)(SOL_SOCKET, SO_REUSEADDR, null)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    )
  })

  it('option errors are the kernel’s', () => {
    const s = track(socket())
    expectSocketError(() => s.getsockopt(SOL_SOCKET, 9999), 'ENOPROTOOPT', 'getsockopt')
    expectSocketError(() => s.setsockopt(SOL_SOCKET, 9999, 1), 'ENOPROTOOPT', 'setsockopt')
    expectSocketError(() => s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY), 'ENOTSUP')
    expect(() => s.getsockopt(SOL_SOCKET, SO_TYPE, 1025)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 2 ** 31)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1.5)).toThrow(RangeError)
    expect(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 'x' as never)).toThrow(TypeError)
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, -1)
  })
})

describe('inspect', () => {
  it('looks like Python’s repr', () => {
    const s = track(socket())
    expect(inspect(s)).toBe(`<Socket fd=${s.fileno()} family=AF_INET type=SOCK_STREAM proto=0 laddr=['0.0.0.0', 0]>`)
    s.bind(['127.0.0.1', 0])
    const port = (s.getsockname() as [string, number])[1]
    expect(inspect(s)).toBe(`<Socket fd=${s.fileno()} family=AF_INET type=SOCK_STREAM proto=0 laddr=['127.0.0.1', ${port}]>`)
    const u = track(socket(AF_UNIX, SOCK_DGRAM))
    expect(inspect(u)).toBe(`<Socket fd=${u.fileno()} family=AF_UNIX type=SOCK_DGRAM proto=0>`)
    s.close()
    expect(inspect(s)).toBe('<Socket [closed] fd=-1 family=AF_INET type=SOCK_STREAM proto=0>')
  })
})
