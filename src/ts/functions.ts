/**
 * Module-level socket functions: pairs, adopting fds, connection helpers and fd passing
 * (CPython's `socketpair`, `fromfd`, `create_connection`, `create_server`,
 * `has_dualstack_ipv6`, `send_fds`, `recv_fds`, `close`).
 */
import type { Address, InetAddress, Inet6Address, SocketAddress } from './address'
import {
  AF_INET,
  AF_INET6,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SCM_RIGHTS,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_REUSEADDR,
  SO_REUSEPORT,
} from './constants'
import { getdefaulttimeout } from './defaults'
import { PAIR_FAMILY, WINDOWS } from './platform'
import { SocketError } from './errors'
import { native } from './native'
import { getaddrinfo, getaddrinfoSync } from './resolve'
import type { CallOptions } from './waiter'
import { fromNative, Socket, type AncillaryItem, type BytesLike } from './socket'
import {
  bool,
  bytes,
  featureUnavailable,
  int,
  int32,
  invalidArgType,
  invalidArgValue,
  options as checkOptions,
  size,
  timeoutSeconds,
  INT32_MAX,
} from './validate'
import { CMSG_LEN } from './helpers'

/**
 * `socketpair(2)`: two connected sockets (AF_UNIX stream by default; on Windows, a
 * loopback AF_INET stream connection, as CPython makes it there).
 */
export function socketpair(family: number = PAIR_FAMILY, type: number = SOCK_STREAM, proto: number = 0): [Socket, Socket] {
  int32(family, 'family')
  int32(type, 'type')
  int32(proto, 'proto')
  const timeout = getdefaulttimeout()
  const [a, b] = native.socketpair(family, type, proto, timeout)
  return [fromNative(a, a.timeout() ?? null), fromNative(b, b.timeout() ?? null)]
}

/** Python's `fromfd`: duplicates `fd` (close-on-exec) and wraps the duplicate. */
export function fromfd(fd: number, family: number, type: number, proto: number = 0): Socket {
  int(fd, 'fd', 0, INT32_MAX)
  int32(family, 'family')
  int32(type, 'type')
  int32(proto, 'proto')
  const dup = native.dupFd(fd)
  try {
    return new Socket(family, type, proto, dup)
  } catch (e) {
    native.closeFd(dup)
    throw e
  }
}

/**
 * Windows' `fromshare(data)`: opens the socket another process described with
 * {@link Socket.share} for this process (`WSADuplicateSocket`). Elsewhere it throws
 * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM` (Unix passes fds with {@link sendFds}).
 */
export function fromshare(data: ArrayBufferView): Socket {
  if (!WINDOWS) throw featureUnavailable('fromshare()')
  const b = bytes(data, 'data')
  const timeout = getdefaulttimeout()
  const h = native.fromshare(b, timeout)
  return fromNative(h, timeout)
}

/** Python's `socket.dup(fd)`: a close-on-exec duplicate of an fd number. */
export function dup(fd: number): number {
  return native.dupFd(int(fd, 'fd', 0, INT32_MAX))
}

/** Whether this platform has IPv6 sockets (Python's `has_ipv6`). */
export const hasIpv6: boolean = AF_INET6 !== undefined

/** `close(2)` on an fd number. */
export function close(fd: number): void {
  native.closeFd(int32(fd, 'fd'))
}

/** Options of {@link createConnectionSync}. */
export interface CreateConnectionOptions {
  /** Throw an `AggregateError` of every attempt's error instead of the last one. */
  allErrors?: boolean
}

/**
 * Python's `create_connection`: resolves `[host, port]` and tries each address until one
 * connects. `timeout` undefined keeps the default timeout; `null` makes the socket
 * blocking; a number sets it. `sourceAddress` is bound first when given.
 */
export function createConnectionSync(
  address: InetAddress | Inet6Address,
  timeout?: number | null,
  sourceAddress?: InetAddress | Inet6Address | null,
  options?: CreateConnectionOptions,
): Socket {
  const { allErrors = false } = checkOptions<CreateConnectionOptions>(options)
  bool(allErrors, 'options.allErrors')
  if (!Array.isArray(address) || address.length !== 2) throw invalidArgType('address', 'an array [host, port]', address)
  const [host, port] = address
  const t = timeout === undefined ? undefined : timeoutSeconds(timeout)
  const errors: unknown[] = []
  for (const [family, type, proto, , sockaddr] of getaddrinfoSync(host, port, 0, SOCK_STREAM)) {
    let s: Socket | undefined
    try {
      s = new Socket(family, type, proto)
      if (t !== undefined) s.settimeout(t)
      if (sourceAddress) s.bind(sourceAddress)
      s.connectSync(sockaddr as Address)
      return s
    } catch (e) {
      s?.close()
      errors.push(e)
    }
  }
  if (errors.length === 0) throw new SocketError('getaddrinfo returns an empty list', { code: 'ENOTFOUND', syscall: 'getaddrinfo' })
  if (allErrors) throw new AggregateError(errors, 'create_connection failed')
  throw errors[errors.length - 1]
}

/**
 * Promise form of {@link createConnectionSync}: resolves the name on the thread pool
 * and connects without blocking the event loop. `options` also takes `{ signal }` and
 * a `timeout` for the whole call (seconds).
 */
export async function createConnection(
  address: InetAddress | Inet6Address,
  timeout?: number | null,
  sourceAddress?: InetAddress | Inet6Address | null,
  options?: CreateConnectionOptions & CallOptions,
): Promise<Socket> {
  const { allErrors = false, signal } = checkOptions<CreateConnectionOptions & CallOptions>(options)
  bool(allErrors, 'options.allErrors')
  if (!Array.isArray(address) || address.length !== 2) throw invalidArgType('address', 'an array [host, port]', address)
  const [host, port] = address
  const t = timeout === undefined ? undefined : timeoutSeconds(timeout)
  const callTimeout = options?.timeout
  const deadline = callTimeout === undefined ? undefined : performance.now() + timeoutSeconds(callTimeout, 'options.timeout')! * 1000
  const left = () => (deadline === undefined ? undefined : Math.max(0, (deadline - performance.now()) / 1000))
  const errors: unknown[] = []
  for (const [family, type, proto, , sockaddr] of await getaddrinfo(host, port, 0, SOCK_STREAM, 0, 0, { signal, timeout: left() })) {
    let s: Socket | undefined
    try {
      s = new Socket(family, type, proto)
      if (t !== undefined) s.settimeout(t)
      if (sourceAddress) s.bind(sourceAddress)
      await s.connect(sockaddr as Address, { signal, timeout: left() })
      return s
    } catch (e) {
      s?.close()
      const name = (e as Error)?.name
      if (name === 'AbortError' || (name === 'TimeoutError' && left() === 0)) throw e
      errors.push(e)
    }
  }
  if (errors.length === 0) throw new SocketError('getaddrinfo returns an empty list', { code: 'ENOTFOUND', syscall: 'getaddrinfo' })
  if (allErrors) throw new AggregateError(errors, 'create_connection failed')
  throw errors[errors.length - 1]
}

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** AF_INET (default) or AF_INET6. */
  family?: number
  /** listen() backlog; default min(SOMAXCONN, 128). */
  backlog?: number | null
  /** Set SO_REUSEPORT (where the platform has it). */
  reusePort?: boolean
  /** With AF_INET6, accept IPv4 too (IPV6_V6ONLY = 0); otherwise IPV6_V6ONLY = 1. */
  dualstackIpv6?: boolean
}

/**
 * Python's `create_server`: a listening TCP socket bound to `address`, with SO_REUSEADDR
 * set (POSIX; not on Windows, where it would let others take the port), SO_REUSEPORT if
 * asked, and IPV6_V6ONLY as `dualstackIpv6` says.
 */
export function createServer(address: InetAddress | Inet6Address, options?: CreateServerOptions): Socket {
  const { family = AF_INET, backlog = null, reusePort = false, dualstackIpv6 = false } = checkOptions<CreateServerOptions>(options)
  int32(family, 'options.family')
  if (backlog !== null) int32(backlog, 'options.backlog')
  bool(reusePort, 'options.reusePort')
  bool(dualstackIpv6, 'options.dualstackIpv6')
  if (reusePort && SO_REUSEPORT === undefined) throw invalidArgValue('reusePort', reusePort, 'is not supported on this platform')
  if (dualstackIpv6) {
    if (!hasDualstackIpv6()) throw invalidArgValue('dualstackIpv6', dualstackIpv6, 'is not supported on this platform')
    if (family !== AF_INET6) throw invalidArgValue('dualstackIpv6', dualstackIpv6, 'requires AF_INET6 family')
  }
  const s = new Socket(family, SOCK_STREAM)
  try {
    // Not on Windows, as in Python: there SO_REUSEADDR lets another socket bind the
    // same port while this one listens (SO_EXCLUSIVEADDRUSE is the opposite).
    if (!WINDOWS) {
      try {
        s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
      } catch {
        // Python ignores failures here (some platforms lack it).
      }
    }
    if (reusePort) s.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)
    if (family === AF_INET6) s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, dualstackIpv6 ? 0 : 1)
    try {
      s.bind(address)
    } catch (e) {
      if (e instanceof SocketError && e.errno !== undefined) {
        e.message = `${e.strerror ?? e.message} (while attempting to bind on address ${JSON.stringify(address)})`
      }
      throw e
    }
    if (backlog === null) s.listen()
    else s.listen(backlog)
    return s
  } catch (e) {
    s.close()
    throw e
  }
}

/** True when an AF_INET6 stream socket can accept IPv4 too (IPV6_V6ONLY can be 0). */
export function hasDualstackIpv6(): boolean {
  if (AF_INET6 === undefined || IPV6_V6ONLY === undefined) return false
  try {
    const s = new Socket(AF_INET6, SOCK_STREAM)
    try {
      s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)
      return true
    } finally {
      s.close()
    }
  } catch {
    return false
  }
}

function checkSocket(sock: unknown): Socket {
  if (!(sock instanceof Socket)) throw invalidArgType('sock', 'an instance of Socket', sock)
  return sock
}

/** Promise form of {@link sendFdsSync}; takes `{ signal, timeout }` last. */
export async function sendFds(
  sock: Socket,
  buffers: Iterable<BytesLike>,
  fds: Iterable<number>,
  flags: number = 0,
  address?: Address | null,
  options?: CallOptions,
): Promise<number> {
  checkSocket(sock)
  return sock.sendmsg(buffers, [[SOL_SOCKET, SCM_RIGHTS, fdsPayload(fds)]], flags, address, options)
}

/** Promise form of {@link recvFdsSync}. */
export async function recvFds(
  sock: Socket,
  bufsize: number,
  maxfds: number,
  flags: number = 0,
  options?: CallOptions,
): Promise<[Buffer, number[], number, SocketAddress | null]> {
  checkSocket(sock)
  size(bufsize, 'bufsize')
  size(maxfds, 'maxfds')
  const [data, anc, msgFlags, addr] = await sock.recvmsg(bufsize, CMSG_LEN(maxfds * 4), flags, options)
  return [data, takeFds(anc, maxfds), msgFlags, addr]
}

function fdsPayload(fds: Iterable<number>): Buffer {
  const list = Array.from(fds, (fd, i) => int(fd, `fds[${i}]`, 0, INT32_MAX))
  return Buffer.from(new Int32Array(list).buffer)
}

/**
 * Python's `send_fds`: sends `buffers` with the fds in one SCM_RIGHTS message. Unlike
 * CPython 3.13, `flags` and `address` are honoured.
 */
export function sendFdsSync(
  sock: Socket,
  buffers: Iterable<BytesLike>,
  fds: Iterable<number>,
  flags: number = 0,
  address?: Address | null,
): number {
  checkSocket(sock)
  return sock.sendmsgSync(buffers, [[SOL_SOCKET, SCM_RIGHTS, fdsPayload(fds)]], flags, address)
}

/**
 * Python's `recv_fds`: receives up to `bufsize` bytes and up to `maxfds` fds →
 * `[data, fds, msgFlags, address]`. The fds are close-on-exec and yours to close; any
 * beyond `maxfds` are closed, never leaked.
 */
export function recvFdsSync(
  sock: Socket,
  bufsize: number,
  maxfds: number,
  flags: number = 0,
): [Buffer, number[], number, SocketAddress | null] {
  checkSocket(sock)
  size(bufsize, 'bufsize')
  size(maxfds, 'maxfds')
  const [data, anc, msgFlags, addr] = sock.recvmsgSync(bufsize, CMSG_LEN(maxfds * 4), flags)
  return [data, takeFds(anc, maxfds), msgFlags, addr]
}

/** The fds of SCM_RIGHTS items, closing any beyond `maxfds`. @internal */
export function takeFds(anc: AncillaryItem[], maxfds: number): number[] {
  const fds: number[] = []
  for (const [level, type, data] of anc) {
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) continue
    for (let i = 0; i + 4 <= data.length; i += 4) {
      const fd = data.readInt32LE(i)
      if (fds.length < maxfds) fds.push(fd)
      else native.closeFd(fd)
    }
  }
  return fds
}
