/**
 * The `Socket` class: CPython's `socket.socket` for Node. Every call that can block has a
 * `*Sync` form that blocks the calling thread, exactly like Python.
 */
import { read, readSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { inspect } from 'node:util'

import { encodeAddress, senderScratch, takeSender, type Address, type SocketAddress } from './address'
import {
  AddressFamily,
  AF_INET,
  AF_UNIX,
  SIO_KEEPALIVE_VALS,
  SIO_LOOPBACK_FAST_PATH,
  SIO_RCVALL,
  SOCK_STREAM,
  SocketKind,
} from './constants'
import { getdefaulttimeout } from './defaults'
import { EAGAIN, EBADF, errnoError, errnoToError } from './errors'
import { native, type NativeSocket } from './native'
import { KERNEL_SENDFILE, WINDOWS } from './platform'
import { commit, offsetIn, reserve } from './pool'
import { prepare, waitUntil, WOULD_BLOCK, type CallOptions, type Prepared } from './waiter'
import {
  bytes,
  featureUnavailable,
  int,
  int32,
  invalidArgType,
  invalidArgValue,
  outOfRange,
  size,
  timeoutSeconds,
  writableBytes,
  INT32_MAX,
  INT32_MIN,
} from './validate'

/** One ancillary data item: `[level, type, data]` (e.g. `[SOL_SOCKET, SCM_RIGHTS, fdsAsBytes]`). */
export type AncillaryItem = [level: number, type: number, data: Buffer]
/** What you may pass as ancillary data: any bytes for the payload. */
export type AncillaryInput = readonly [level: number, type: number, data: ArrayBufferView]
/** Anything a send accepts: a Buffer, any ArrayBufferView, or a string (sent as UTF-8). */
export type BytesLike = ArrayBufferView | string

const SOMAXCONN_DEFAULT = 128
const UINT32_MAX = 0xffffffff
// What tryConnect returns while a non-blocking connect goes on in the background.
const CONNECT_PENDING = -1
// Consecutive async calls that complete without waiting before one is made to wait
// anyway: an awaited, already-settled promise never yields to the event loop, so a
// hot socket could otherwise starve timers and other I/O.
const MAX_STREAK = 256
const MISSES_BEFORE_WAITING = 4

/** Sockets the program dropped without closing: warn, as Python's ResourceWarning does. */
const unclosed = new FinalizationRegistry<string>((description) => {
  process.emitWarning(`unclosed ${description}`, { type: 'ResourceWarning', code: 'BSD_SOCKETS_UNCLOSED' })
})

// Data calls go straight to plain native functions with the fd and mode (see src/fast.rs).
const fast = native.fastCalls()

/** The mode number the fast calls take: negative blocks, 0 never waits, t > 0 seconds. */
function modeOf(timeout: number | null): number {
  return timeout === null ? -1 : timeout
}

// Set by fromNative() just before `new Socket()`, consumed by the constructor.
let adopting: { handle: NativeSocket; timeout: number | null } | null = null

/**
 * A socket, like CPython's `socket.socket`. Create one with {@link socket}, `new Socket(…)`,
 * {@link socketpair}, {@link Socket.fromFd} or {@link fromfd}.
 *
 * Blocking calls come in a `*Sync` form that blocks the thread (honouring
 * {@link Socket.settimeout}). Close sockets with {@link Socket.close} or `using`.
 */
export class Socket implements Disposable {
  #handle: NativeSocket
  // The fd (-1 once closed: the kernel then says EBADF, and no fd number is reused).
  #fd: number
  #mode: number
  #family: number
  #type: number
  #proto: number
  #timeout: number | null
  #closed = false
  // Async state: the event-loop watch slot (-1 until the first wait), calls waiting
  // per direction, consecutive completions without a wait, and ref/unref.
  #slot = -1
  #reads = 0
  #writes = 0
  #streak = 0
  #referenced = true
  // Consecutive first tries per direction that found nothing to do: a request/response
  // peer's receive almost never finds data at once, so after a few misses it waits
  // directly (and still tries first now and then, to notice when data queues up).
  #readMisses = 0
  #writeMisses = 0
  #probe = 0

  /**
   * `socket(family, type, proto)`: a new socket (close-on-exec). With `fileno`, adopts
   * that fd instead (it is not duplicated; the Socket owns it from now on), reading
   * family, type and protocol from the kernel unless given.
   */
  constructor(family: number = AF_INET, type: number = SOCK_STREAM, proto: number = 0, fileno?: number | null) {
    const from = adopting
    adopting = null
    if (from) {
      this.#handle = from.handle
      this.#timeout = from.timeout
    } else {
      const timeout = getdefaulttimeout()
      if (fileno === undefined || fileno === null) {
        int32(family, 'family')
        int32(type, 'type')
        int32(proto, 'proto')
        this.#handle = native.NativeSocket.open(family, type, proto, timeout)
      } else {
        int(fileno, 'fileno', 0, INT32_MAX)
        const given = (v: number, name: string) => (int32(v, name) === -1 ? null : v)
        this.#handle = native.NativeSocket.adopt(
          fileno,
          given(family, 'family'),
          given(type, 'type'),
          given(proto, 'proto'),
          timeout,
        )
      }
      // The native side knows best: SOCK_NONBLOCK in `type` means non-blocking
      // whatever the default says.
      this.#timeout = this.#handle.timeout() ?? null
    }
    this.#fd = this.#handle.fileno()
    this.#mode = modeOf(this.#timeout)
    const [f, t, p] = this.#handle.kind()
    this.#family = f
    this.#type = t
    this.#proto = p
    unclosed.register(this, describe(this.#handle.fileno(), f, t, p), this)
  }

  /**
   * Adopts an open socket fd (the Socket owns it from now on; close it with the
   * Socket). Family, type and protocol are read from the kernel with SO_DOMAIN,
   * SO_TYPE and SO_PROTOCOL.
   */
  static fromFd(fd: number): Socket {
    return new Socket(-1, -1, -1, fd)
  }

  /** The address family (`AF_INET`, …). */
  get family(): number {
    return this.#family
  }

  /** The socket type (`SOCK_STREAM`, …), without SOCK_NONBLOCK/SOCK_CLOEXEC. */
  get type(): number {
    return this.#type
  }

  /** The protocol number. */
  get proto(): number {
    return this.#proto
  }

  /** The timeout in seconds: `null` blocking, `0` non-blocking. Same as {@link gettimeout}. */
  get timeout(): number | null {
    return this.#timeout
  }

  /** The fd, or -1 after close/detach. */
  fileno(): number {
    return this.#fd
  }

  /** Whether the socket is closed (or detached). */
  get closed(): boolean {
    return this.#closed
  }

  /** `bind(2)`. */
  bind(address: Address): void {
    this.#handle.bind(encodeAddress(this.#family, address))
  }

  /** `listen(2)`; the default backlog is min(SOMAXCONN, 128), as in CPython. */
  listen(backlog: number = SOMAXCONN_DEFAULT): void {
    this.#handle.listen(Math.max(0, int32(backlog, 'backlog')))
  }

  /**
   * `accept(2)`: waits for a connection. The new socket is close-on-exec and gets
   * {@link getdefaulttimeout}, never this socket's timeout (CPython's rule).
   */
  acceptSync(): [Socket, SocketAddress] {
    const timeout = getdefaulttimeout()
    const [h, addr] = this.#handle.accept(timeout)
    return [fromNative(h, timeout), addr as SocketAddress]
  }

  /** `connect(2)`; in timeout mode waits at most the timeout. */
  connectSync(address: Address): void {
    this.#handle.connect(encodeAddress(this.#family, address))
  }

  /** Like {@link connectSync} but returns the errno (0 on success) instead of throwing OS errors. */
  connectExSync(address: Address): number {
    return this.#handle.connectEx(encodeAddress(this.#family, address))
  }

  /**
   * Receives up to `bufsize` bytes. An empty Buffer means the peer shut down (stream) or
   * an empty datagram (datagram sockets).
   */
  recvSync(bufsize: number, flags: number = 0): Buffer {
    size(bufsize, 'bufsize')
    int32(flags, 'flags')
    const buf = reserve(bufsize)
    const off = offsetIn(buf)
    const n = fast.recvInto(this.#fd, this.#mode, buf, off, bufsize, flags)
    return commit(buf, off, n, bufsize)
  }

  /** Receives into `buffer` (no copy); returns the byte count. `nbytes` 0 means the whole buffer. */
  recvIntoSync(buffer: ArrayBufferView, nbytes: number = 0, flags: number = 0): number {
    const view = writableBytes(buffer, 'buffer')
    const n = checkNbytes(nbytes, view.byteLength)
    int32(flags, 'flags')
    return fast.recvInto(this.#fd, this.#mode, view, 0, n, flags)
  }

  /** Receives up to `bufsize` bytes and the sender's address (`null` when there is none). */
  recvfromSync(bufsize: number, flags: number = 0): [Buffer, SocketAddress | null] {
    size(bufsize, 'bufsize')
    int32(flags, 'flags')
    const buf = reserve(bufsize)
    const off = offsetIn(buf)
    const n = fast.recvfromInto(this.#fd, this.#mode, buf, off, bufsize, flags, senderScratch)
    return [commit(buf, off, n, bufsize), takeSender()]
  }

  /** Receives into `buffer`; returns `[nbytes, address]`. */
  recvfromIntoSync(buffer: ArrayBufferView, nbytes: number = 0, flags: number = 0): [number, SocketAddress | null] {
    const view = writableBytes(buffer, 'buffer')
    const n = checkNbytes(nbytes, view.byteLength)
    int32(flags, 'flags')
    const got = fast.recvfromInto(this.#fd, this.#mode, view, 0, n, flags, senderScratch)
    return [got, takeSender()]
  }

  /**
   * `recvmsg(2)`: `[data, ancdata, msgFlags, address]`. Ancillary data is received
   * only when `ancbufsize > 0` (size it with {@link CMSG_SPACE}); fds that arrive in
   * SCM_RIGHTS are close-on-exec and yours to close.
   */
  recvmsgSync(bufsize: number, ancbufsize: number = 0, flags: number = 0): [Buffer, AncillaryItem[], number, SocketAddress | null] {
    size(bufsize, 'bufsize')
    size(ancbufsize, 'ancbufsize')
    int32(flags, 'flags')
    const buf = reserve(bufsize)
    const off = offsetIn(buf)
    const [n, anc, msgFlags, addr] = this.#handle.recvmsgInto([buf.subarray(off, off + bufsize)], ancbufsize, flags, false)!
    return [commit(buf, off, n, bufsize), anc, msgFlags, addr as SocketAddress | null]
  }

  /** `recvmsg(2)` scattering into `buffers`: `[nbytes, ancdata, msgFlags, address]`. */
  recvmsgIntoSync(
    buffers: Iterable<ArrayBufferView>,
    ancbufsize: number = 0,
    flags: number = 0,
  ): [number, AncillaryItem[], number, SocketAddress | null] {
    const views = viewsOf(buffers, 'buffers', writableBytes)
    size(ancbufsize, 'ancbufsize')
    int32(flags, 'flags')
    const [n, anc, msgFlags, addr] = this.#handle.recvmsgInto(views, ancbufsize, flags, false)!
    return [n, anc, msgFlags, addr as SocketAddress | null]
  }

  /** `send(2)`: sends what fits and returns the count. Never raises SIGPIPE (EPIPE instead). */
  sendSync(data: BytesLike, flags: number = 0): number {
    const b = bytes(data, 'data')
    int32(flags, 'flags')
    return fast.send(this.#fd, this.#mode, b, flags)
  }

  /** Sends all of `data` or throws; in timeout mode the timeout bounds the whole call. */
  sendallSync(data: BytesLike, flags: number = 0): void {
    const b = bytes(data, 'data')
    int32(flags, 'flags')
    fast.sendall(this.#fd, this.#mode, b, flags)
  }

  /** `sendto(2)`: `sendtoSync(data, address)` or `sendtoSync(data, flags, address)`. */
  sendtoSync(data: BytesLike, address: Address): number
  sendtoSync(data: BytesLike, flags: number, address: Address): number
  sendtoSync(data: BytesLike, flagsOrAddress: number | Address, maybeAddress?: Address): number {
    const b = bytes(data, 'data')
    let flags = 0
    let address: unknown = flagsOrAddress
    if (arguments.length >= 3) {
      flags = int32(flagsOrAddress, 'flags')
      address = maybeAddress
    } else if (arguments.length < 2) {
      throw invalidArgType('address', 'given', undefined)
    }
    return fast.sendto(this.#fd, this.#mode, b, flags, encodeAddress(this.#family, address))
  }

  /**
   * `sendmsg(2)`: gathers `buffers`, with `ancdata` items `[level, type, data]`, to
   * `address` if given. Returns the count sent.
   */
  sendmsgSync(
    buffers: Iterable<BytesLike>,
    ancdata: Iterable<AncillaryInput> = [],
    flags: number = 0,
    address?: Address | null,
  ): number {
    const views = viewsOf(buffers, 'buffers', bytes)
    const anc = ancillaryOf(ancdata)
    int32(flags, 'flags')
    const raw = address === undefined || address === null ? null : encodeAddress(this.#family, address)
    return this.#handle.sendmsg(views, anc, flags, raw, false)
  }

  /**
   * Sends a file (Python's `socket.sendfile`): `sendfile(2)` from `offset` until `count`
   * bytes or EOF. Leaves the file position after the last byte sent. Stream sockets only.
   * On Windows the file is read (positioned reads, 64 KiB at a time) and sent, as CPython
   * does there, and its position is left alone.
   */
  sendfileSync(file: number | FileHandle, offset: number = 0, count?: number | null): number {
    const fd = sendfileArgs(file, offset, count)
    if (!KERNEL_SENDFILE) {
      // What CPython's sendfile refuses before sending anything (the kernel path's
      // checks are the core's).
      this.#requireStream()
      if (this.#timeout === 0) throw invalidArgValue('socket', 'non-blocking', 'must not be non-blocking for sendfile')
      let sent = 0
      for (;;) {
        const chunk = sendfileChunk(count, sent)
        if (chunk === null) return sent
        const n = readSync(fd, chunk, 0, chunk.length, offset + sent)
        if (n === 0) return sent
        this.sendallSync(chunk.subarray(0, n))
        sent += n
      }
    }
    return this.#handle.sendfile(fd, offset, count ?? null)
  }

  /** sendfile sends on stream sockets only. */
  #requireStream(): void {
    if (this.#type !== SOCK_STREAM) throw invalidArgValue('socket', this.#type, 'must be a SOCK_STREAM socket for sendfile')
  }

  // ---- Promise forms: never block the event loop ---------------------------------

  /**
   * Runs one async call: try the non-blocking syscall at once (unless calls of the same
   * direction are already waiting, so nobody jumps the queue), then wait for readiness
   * and retry until it completes, is aborted, or times out.
   */
  #run<T>(
    write: boolean,
    syscall: string,
    p: Prepared,
    first: () => T | typeof WOULD_BLOCK,
    again: () => T | typeof WOULD_BLOCK = first,
  ): T | Promise<T> {
    // Watched before the first try: watching makes the socket non-blocking, and on
    // Windows (no MSG_DONTWAIT) that is what keeps a try from blocking the loop.
    if (this.#slot < 0) this.#watch()
    if ((write ? this.#writes : this.#reads) === 0 && this.#streak < MAX_STREAK) {
      const misses = write ? this.#writeMisses : this.#readMisses
      if (misses < MISSES_BEFORE_WAITING || (++this.#probe & 15) === 0) {
        const r = first()
        if (r !== WOULD_BLOCK) {
          this.#streak++
          if (write) this.#writeMisses = 0
          else this.#readMisses = 0
          return r as T
        }
        if (write) this.#writeMisses++
        else this.#readMisses++
      }
    }
    return this.#wait(write, syscall, p, again)
  }

  /** Waits for readiness and retries `attempt` until it completes (see {@link waitUntil}). */
  #wait<T>(write: boolean, syscall: string, p: Prepared, attempt: () => T | typeof WOULD_BLOCK): Promise<T> {
    this.#streak = 0
    const slot = this.#watch()
    if (write) this.#writes++
    else this.#reads++
    const closed = () => (this.#closed ? errnoError('EBADF', syscall) : undefined)
    const done = write ? () => this.#writes-- : () => this.#reads--
    return waitUntil(slot, write, p, syscall, closed, attempt, done)
  }

  /** The event-loop watch of this socket (created on first use; O_NONBLOCK from then on). */
  #watch(): number {
    if (this.#slot < 0) this.#slot = this.#handle.watch(this.#referenced)
    return this.#slot
  }

  /** Pending async calls keep the process alive (the default), like `net.Socket`. */
  ref(): this {
    this.#referenced = true
    if (this.#slot >= 0 && !this.#closed) native.pollRef(this.#slot, true)
    return this
  }

  /** Pending async calls no longer keep the process alive. */
  unref(): this {
    this.#referenced = false
    if (this.#slot >= 0 && !this.#closed) native.pollRef(this.#slot, false)
    return this
  }

  /** Waits for a connection: `[Socket, address]` (the new socket gets {@link getdefaulttimeout}). */
  async accept(options?: CallOptions): Promise<[Socket, SocketAddress]> {
    const p = prepare(options, this.#timeout)
    const timeout = getdefaulttimeout()
    const [h, addr] = await this.#run(false, 'accept', p, () => this.#handle.tryAccept(timeout) ?? WOULD_BLOCK)
    return [fromNative(h, timeout), addr as SocketAddress]
  }

  /** Connects without blocking the event loop; rejects with the connect error. */
  async connect(address: Address, options?: CallOptions): Promise<void> {
    const raw = Buffer.from(encodeAddress(this.#family, address))
    const p = prepare(options, this.#timeout)
    const errno = await this.#connect(raw, p)
    if (errno !== 0) throw this.#connectError(errno, address)
  }

  /** Like {@link connect} but resolves to the errno (0 on success; 11 after a timeout). */
  async connectEx(address: Address, options?: CallOptions): Promise<number> {
    const raw = Buffer.from(encodeAddress(this.#family, address))
    const p = prepare(options, this.#timeout)
    if (this.#closed) return EBADF
    try {
      return await this.#connect(raw, p)
    } catch (e) {
      if ((e as { code?: string }).code === 'ETIMEDOUT' && e instanceof Error && e.name === 'TimeoutError') return EAGAIN
      throw e
    }
  }

  async #connect(raw: Buffer, p: Prepared): Promise<number> {
    this.#watch()
    const errno = this.#handle.tryConnect(raw)
    if (errno !== CONNECT_PENDING) return errno
    return this.#wait(true, 'connect', p, () => this.#handle.takeError())
  }

  #connectError(errno: number, address: Address): Error {
    const [host, port] = Array.isArray(address) ? [String(address[0]), Number(address[1])] : [String(address), undefined]
    return this.#family === AF_UNIX ? errnoToError(errno, 'connect', host) : errnoToError(errno, 'connect', host, port)
  }

  /** Receives up to `bufsize` bytes (an empty Buffer: EOF on a stream, an empty datagram otherwise). */
  recv(bufsize: number, flags: number = 0, options?: CallOptions): Promise<Buffer> {
    try {
      size(bufsize, 'bufsize')
      int32(flags, 'flags')
      const p = prepare(options, this.#timeout)
      // Each attempt takes its buffer from the pool (synchronously, so nothing else
      // can use that stretch of the pool meanwhile).
      return promised(
        this.#run(false, 'recv', p, () => {
          const buf = reserve(bufsize)
          const off = offsetIn(buf)
          const n = fast.tryRecvInto(this.#fd, 0, buf, off, bufsize, flags)
          return n === WOULD_BLOCK ? WOULD_BLOCK : commit(buf, off, n, bufsize)
        }),
      )
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Receives into `buffer`; resolves to the byte count. */
  recvInto(buffer: ArrayBufferView, nbytes: number = 0, flags: number = 0, options?: CallOptions): Promise<number> {
    try {
      const view = writableBytes(buffer, 'buffer')
      const n = checkNbytes(nbytes, view.byteLength)
      int32(flags, 'flags')
      const p = prepare(options, this.#timeout)
      return promised(this.#run(false, 'recv', p, () => fast.tryRecvInto(this.#fd, 0, view, 0, n, flags)))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Receives a datagram and its sender: `[data, address]` (address null when there is none). */
  async recvfrom(bufsize: number, flags: number = 0, options?: CallOptions): Promise<[Buffer, SocketAddress | null]> {
    size(bufsize, 'bufsize')
    int32(flags, 'flags')
    const p = prepare(options, this.#timeout)
    return this.#run(false, 'recvfrom', p, () => {
      const buf = reserve(bufsize)
      const off = offsetIn(buf)
      const n = fast.tryRecvfromInto(this.#fd, 0, buf, off, bufsize, flags, senderScratch)
      return n === WOULD_BLOCK ? WOULD_BLOCK : ([commit(buf, off, n, bufsize), takeSender()] as [Buffer, SocketAddress | null])
    })
  }

  /** Receives into `buffer`: `[nbytes, address]`. */
  async recvfromInto(
    buffer: ArrayBufferView,
    nbytes: number = 0,
    flags: number = 0,
    options?: CallOptions,
  ): Promise<[number, SocketAddress | null]> {
    const view = writableBytes(buffer, 'buffer')
    const n = checkNbytes(nbytes, view.byteLength)
    int32(flags, 'flags')
    const p = prepare(options, this.#timeout)
    return this.#run(false, 'recvfrom', p, () => {
      const got = fast.tryRecvfromInto(this.#fd, 0, view, 0, n, flags, senderScratch)
      return got === WOULD_BLOCK ? WOULD_BLOCK : ([got, takeSender()] as [number, SocketAddress | null])
    })
  }

  /** `recvmsg(2)`: `[data, ancdata, msgFlags, address]`. */
  async recvmsg(
    bufsize: number,
    ancbufsize: number = 0,
    flags: number = 0,
    options?: CallOptions,
  ): Promise<[Buffer, AncillaryItem[], number, SocketAddress | null]> {
    size(bufsize, 'bufsize')
    size(ancbufsize, 'ancbufsize')
    int32(flags, 'flags')
    const p = prepare(options, this.#timeout)
    const own = Buffer.allocUnsafe(bufsize)
    const [n, anc, msgFlags, addr] = await this.#run(
      false,
      'recvmsg',
      p,
      () => this.#handle.recvmsgInto([own], ancbufsize, flags, true) ?? WOULD_BLOCK,
    )
    return [commit(own, 0, n, bufsize), anc, msgFlags, addr as SocketAddress | null]
  }

  /** `recvmsg(2)` scattering into `buffers`: `[nbytes, ancdata, msgFlags, address]`. */
  async recvmsgInto(
    buffers: Iterable<ArrayBufferView>,
    ancbufsize: number = 0,
    flags: number = 0,
    options?: CallOptions,
  ): Promise<[number, AncillaryItem[], number, SocketAddress | null]> {
    const views = viewsOf(buffers, 'buffers', writableBytes)
    size(ancbufsize, 'ancbufsize')
    int32(flags, 'flags')
    const p = prepare(options, this.#timeout)
    const [n, anc, msgFlags, addr] = await this.#run(
      false,
      'recvmsg',
      p,
      () => this.#handle.recvmsgInto(views, ancbufsize, flags, true) ?? WOULD_BLOCK,
    )
    return [n, anc, msgFlags, addr as SocketAddress | null]
  }

  /** Sends what fits without waiting once the socket is writable; resolves to the count. */
  send(data: BytesLike, flags: number = 0, options?: CallOptions): Promise<number> {
    try {
      const b = bytes(data, 'data')
      int32(flags, 'flags')
      const p = prepare(options, this.#timeout)
      return promised(this.#run(true, 'send', p, () => fast.trySend(this.#fd, 0, b, flags)))
    } catch (e) {
      return Promise.reject(e)
    }
  }

  /** Sends all of `data`; the timeout (socket's or per call) bounds the whole call. */
  async sendall(data: BytesLike, flags: number = 0, options?: CallOptions): Promise<void> {
    const b = bytes(data, 'data')
    int32(flags, 'flags')
    const p = prepare(options, this.#timeout)
    let off = 0
    await this.#run(true, 'send', p, () => {
      while (off < b.length) {
        const n = fast.trySend(this.#fd, 0, off === 0 ? b : b.subarray(off), flags)
        if (n === WOULD_BLOCK) return WOULD_BLOCK
        off += n
      }
      return undefined
    })
  }

  /** `sendto(2)`: `sendto(data, address, options?)` or `sendto(data, flags, address, options?)`. */
  async sendto(data: BytesLike, address: Address, options?: CallOptions): Promise<number>
  async sendto(data: BytesLike, flags: number, address: Address, options?: CallOptions): Promise<number>
  async sendto(data: BytesLike, a: number | Address, b?: Address | CallOptions, c?: CallOptions): Promise<number> {
    const buf = bytes(data, 'data')
    let flags = 0
    let address: unknown = a
    let options = b as CallOptions | undefined
    if (typeof a === 'number') {
      flags = int32(a, 'flags')
      address = b
      options = c
    }
    const raw = encodeAddress(this.#family, address)
    const p = prepare(options, this.#timeout)
    let saved: Uint8Array | undefined
    return this.#run(
      true,
      'sendto',
      p,
      () => fast.trySendto(this.#fd, 0, buf, flags, raw),
      () => fast.trySendto(this.#fd, 0, buf, flags, (saved ??= Buffer.from(raw))),
    )
  }

  /** `sendmsg(2)`: gathers `buffers` with ancillary data, to `address` if given. */
  async sendmsg(
    buffers: Iterable<BytesLike>,
    ancdata: Iterable<AncillaryInput> = [],
    flags: number = 0,
    address?: Address | null,
    options?: CallOptions,
  ): Promise<number> {
    const views = viewsOf(buffers, 'buffers', bytes)
    const anc = ancillaryOf(ancdata)
    int32(flags, 'flags')
    const raw = address === undefined || address === null ? null : Buffer.from(encodeAddress(this.#family, address))
    const p = prepare(options, this.#timeout)
    return this.#run(true, 'sendmsg', p, () => this.#handle.sendmsg(views, anc, flags, raw, true))
  }

  /**
   * Sends a file with `sendfile(2)` from `offset` until `count` bytes or EOF, waiting for
   * room as needed. Stream sockets and regular files only. (Unlike {@link sendfileSync}
   * the file position is left alone.) On Windows the file is read on the thread pool and
   * sent with {@link sendall}; `options` then bound each 64 KiB chunk.
   */
  async sendfile(file: number | FileHandle, offset: number = 0, count?: number | null, options?: CallOptions): Promise<number> {
    const fd = sendfileArgs(file, offset, count)
    this.#requireStream()
    if (!KERNEL_SENDFILE) {
      let sent = 0
      for (;;) {
        const chunk = sendfileChunk(count, sent)
        if (chunk === null) return sent
        const n = await readAt(fd, chunk, offset + sent)
        if (n === 0) return sent
        await this.sendall(chunk.subarray(0, n), 0, options)
        sent += n
      }
    }
    const p = prepare(options, this.#timeout)
    let sent = 0
    return this.#run(true, 'sendfile', p, () => {
      for (;;) {
        const left = count == null ? 1 << 30 : Math.min(count - sent, 1 << 30)
        if (left <= 0) return sent
        const n = this.#handle.trySendfile(fd, offset + sent, left)
        if (n === WOULD_BLOCK) return WOULD_BLOCK
        if (n === 0) return sent
        sent += n
      }
    })
  }

  /**
   * Accepted connections as an async iterable: `for await (const [conn, addr] of
   * server.connections())`. Ends when the socket is closed.
   */
  async *connections(options?: { signal?: AbortSignal }): AsyncGenerator<[Socket, SocketAddress], void, undefined> {
    for (;;) {
      try {
        yield await this.accept(options)
      } catch (e) {
        if (this.#closed && (e as { code?: string }).code === 'EBADF') return
        throw e
      }
    }
  }

  /**
   * Datagrams as an async iterable: `for await (const [data, addr] of sock.messages())`.
   * Zero-length datagrams are yielded too. Ends when the socket is closed.
   */
  async *messages(
    bufsize: number = 65536,
    options?: { signal?: AbortSignal },
  ): AsyncGenerator<[Buffer, SocketAddress | null], void, undefined> {
    size(bufsize, 'bufsize')
    for (;;) {
      try {
        yield await this.recvfrom(bufsize, 0, options)
      } catch (e) {
        if (this.#closed && (e as { code?: string }).code === 'EBADF') return
        throw e
      }
    }
  }

  /**
   * Windows' `share(pid)`: bytes from which process `pid` opens this same socket with
   * {@link fromshare} (`WSADuplicateSocket`). Elsewhere it throws
   * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM` (Unix passes fds with `sendFds`).
   */
  share(pid: number): Buffer {
    if (!WINDOWS) throw featureUnavailable('socket.share()')
    return this.#handle.share(int(pid, 'pid', 0, UINT32_MAX))
  }

  /**
   * Windows' `ioctl(control, option)` (`WSAIoctl`), for the controls CPython knows:
   * `SIO_RCVALL` with an `RCVALL_*` value (capture every packet on a raw socket),
   * `SIO_KEEPALIVE_VALS` with `[onoff, keepalivetime_ms, keepaliveinterval_ms]`, and
   * `SIO_LOOPBACK_FAST_PATH` with a boolean. Elsewhere it throws
   * `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM` (Unix `ioctl(2)` codes are another API).
   */
  ioctl(control: number, option: number | boolean | readonly [number, number, number]): void {
    if (!WINDOWS) throw featureUnavailable('socket.ioctl()')
    const c = int(control, 'control', 0, UINT32_MAX)
    let input: Buffer
    if (c === SIO_RCVALL || c === SIO_LOOPBACK_FAST_PATH) {
      input = Buffer.alloc(4)
      input.writeUInt32LE(typeof option === 'boolean' ? Number(option) : int(option, 'option', 0, UINT32_MAX))
    } else if (c === SIO_KEEPALIVE_VALS) {
      if (!Array.isArray(option) || option.length !== 3) {
        throw invalidArgType('option', 'an array [onoff, keepalivetime, keepaliveinterval]', option)
      }
      input = Buffer.alloc(12)
      option.forEach((v, i) => input.writeUInt32LE(int(v, `option[${i}]`, 0, UINT32_MAX), i * 4))
    } else {
      throw invalidArgValue('control', control, 'must be SIO_RCVALL, SIO_KEEPALIVE_VALS or SIO_LOOPBACK_FAST_PATH')
    }
    this.#handle.ioctl(c, input)
  }

  /** `shutdown(2)` with SHUT_RD, SHUT_WR or SHUT_RDWR. */
  shutdown(how: number): void {
    this.#handle.shutdown(int32(how, 'how'))
  }

  /**
   * `getsockopt(2)`: without `buflen` (or with 0) reads a C int; with `buflen`
   * (1..1024) returns the option's raw bytes (at most `buflen`).
   */
  getsockopt(level: number, optname: number): number
  getsockopt(level: number, optname: number, buflen: number): Buffer | number
  getsockopt(level: number, optname: number, buflen: number = 0): number | Buffer {
    int32(level, 'level')
    const name = optionName(optname)
    int(buflen, 'buflen', 0, 1024)
    if (buflen === 0) return this.#handle.getsockoptInt(level, name)
    return this.#handle.getsockoptBytes(level, name, buflen)
  }

  /**
   * `setsockopt(2)`: `value` is a number (C int), a boolean (1/0), the raw option
   * bytes, or `null` with `optlen` for options that take no value.
   */
  setsockopt(level: number, optname: number, value: number | boolean | ArrayBufferView): void
  setsockopt(level: number, optname: number, value: null, optlen: number): void
  setsockopt(level: number, optname: number, value: number | boolean | ArrayBufferView | null, optlen?: number): void {
    int32(level, 'level')
    const name = optionName(optname)
    if (value === null) {
      if (optlen === undefined) throw invalidArgType('optlen', 'of type number when value is null', optlen)
      this.#handle.setsockoptNull(level, name, int(optlen, 'optlen', 0, INT32_MAX))
    } else if (optlen !== undefined) {
      throw invalidArgValue('optlen', optlen, 'is only allowed when value is null')
    } else if (typeof value === 'number') {
      this.#handle.setsockoptInt(level, name, int32(value, 'value'))
    } else if (typeof value === 'boolean') {
      this.#handle.setsockoptInt(level, name, value ? 1 : 0)
    } else if (ArrayBuffer.isView(value)) {
      this.#handle.setsockoptBytes(level, name, bytes(value, 'value'))
    } else {
      throw invalidArgType('value', 'of type number, boolean, null, or an instance of Buffer or TypedArray', value)
    }
  }

  /** `getsockname(2)`. */
  getsockname(): SocketAddress {
    return this.#handle.getsockname() as SocketAddress
  }

  /** `getpeername(2)`; ENOTCONN when not connected. */
  getpeername(): SocketAddress {
    return this.#handle.getpeername() as SocketAddress
  }

  /**
   * Sets the timeout: `null` blocking, `0` non-blocking, `t > 0` seconds per call
   * (a `TimeoutError` after that).
   */
  settimeout(timeout: number | null): void {
    const t = timeoutSeconds(timeout)
    this.#handle.setTimeout(t)
    this.#timeout = t
    this.#mode = modeOf(t)
  }

  /** The timeout in seconds (`null` blocking, `0` non-blocking). */
  gettimeout(): number | null {
    return this.#timeout
  }

  /** `setblocking(true)` ≡ `settimeout(null)`; `setblocking(false)` ≡ `settimeout(0)`. */
  setblocking(flag: boolean): void {
    this.settimeout(flag ? null : 0)
  }

  /** False only in non-blocking mode (true in timeout mode, as in Python). */
  getblocking(): boolean {
    return this.#timeout !== 0
  }

  /** Whether child processes inherit the fd (false by default: PEP 446). */
  getInheritable(): boolean {
    return this.#handle.getInheritable()
  }

  /** Sets whether child processes inherit the fd. */
  setInheritable(inheritable: boolean): void {
    if (typeof inheritable !== 'boolean') throw invalidArgType('inheritable', 'of type boolean', inheritable)
    this.#handle.setInheritable(inheritable)
  }

  /** A new Socket on a duplicate fd (close-on-exec), with the same timeout. */
  dup(): Socket {
    return fromNative(this.#handle.dup(), this.#timeout)
  }

  /**
   * Gives up the fd without closing it and returns it; the Socket is closed. The fd is
   * blocking unless the socket was in non-blocking or timeout mode.
   */
  detach(): number {
    const fd = this.#handle.detach()
    this.#markClosed()
    return fd
  }

  /** Closes the socket. Calling it again does nothing. */
  close(): void {
    if (this.#closed) return
    this.#markClosed()
    this.#handle.close()
  }

  /** `using s = socket()` closes `s` at the end of the block. */
  [Symbol.dispose](): void {
    this.close()
  }

  #markClosed(): void {
    this.#closed = true
    this.#fd = -1
    unclosed.unregister(this)
  }

  /** `<Socket fd=5 family=AF_INET type=SOCK_STREAM proto=0 laddr=['127.0.0.1', 5000]>` */
  [inspect.custom](): string {
    const fd = this.#fd
    let s = describe(fd, this.#family, this.#type, this.#proto, this.#closed)
    if (!this.#closed) {
      for (const [label, get] of [
        ['laddr', () => this.#handle.getsockname()],
        ['raddr', () => this.#handle.getpeername()],
      ] as const) {
        try {
          const a = get()
          if (a !== null && a !== '' && !(Buffer.isBuffer(a) && a.length === 0)) s += ` ${label}=${formatAddress(a)}`
        } catch {
          // unbound or unconnected: Python leaves it out too
        }
      }
    }
    return `${s}>`
  }
}

function describe(fd: number, family: number, type: number, proto: number, closed = false): string {
  const f = AddressFamily[family] ?? String(family)
  const t = SocketKind[type] ?? String(type)
  return `<Socket${closed ? ' [closed]' : ''} fd=${fd} family=${f} type=${t} proto=${proto}`
}

function formatAddress(a: unknown): string {
  if (typeof a === 'string') return `'${a}'`
  if (Buffer.isBuffer(a)) return inspect(a)
  if (Array.isArray(a)) return `[${a.map(formatAddress).join(', ')}]`
  return String(a)
}

/** Wraps a native handle (accept, dup, socketpair) in a Socket with the given timeout. @internal */
export function fromNative(handle: NativeSocket, timeout: number | null): Socket {
  adopting = { handle, timeout }
  return new Socket()
}

/** A call's result as a promise: a value completed at once, or the wait's own promise (no extra layer). */
function promised<T>(r: T | Promise<T>): Promise<T> {
  return r instanceof Promise ? r : Promise.resolve(r)
}

function checkNbytes(nbytes: unknown, available: number): number {
  const n = size(nbytes, 'nbytes')
  if (n > available) throw outOfRange('nbytes', `<= ${available} (the buffer's size)`, n)
  return n === 0 ? available : n
}

function viewsOf<T>(list: Iterable<unknown>, name: string, conv: (v: unknown, name: string) => T): T[] {
  if (list === null || typeof list !== 'object' || typeof (list as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw invalidArgType(name, 'an iterable of buffers', list)
  }
  if (ArrayBuffer.isView(list)) throw invalidArgType(name, 'an iterable of buffers, not a single buffer', list)
  const out: T[] = []
  let i = 0
  for (const v of list) out.push(conv(v, `${name}[${i++}]`))
  return out
}

function ancillaryOf(ancdata: Iterable<AncillaryInput>): [number, number, Uint8Array][] {
  if (ancdata === null || typeof (ancdata as Iterable<unknown>)?.[Symbol.iterator] !== 'function') {
    throw invalidArgType('ancdata', 'an iterable of [level, type, data]', ancdata)
  }
  const out: [number, number, Uint8Array][] = []
  let i = 0
  for (const item of ancdata) {
    const name = `ancdata[${i++}]`
    if (!Array.isArray(item) || item.length !== 3) throw invalidArgType(name, 'an array [level, type, data]', item)
    out.push([int32(item[0], `${name}[0]`), int32(item[1], `${name}[1]`), bytes(item[2], `${name}[2]`)])
  }
  return out
}

/**
 * An option name as the C int the kernel takes. Unsigned 32-bit codes are accepted too:
 * Windows' `TCP_QUICKACK` is `SIO_TCP_SET_ACK_FREQUENCY`, 0x98000017.
 */
function optionName(optname: unknown): number {
  return int(optname, 'optname', INT32_MIN, UINT32_MAX) | 0
}

/** Checks sendfile's arguments; returns the fd of `file`. */
function sendfileArgs(file: number | FileHandle, offset: number, count: number | null | undefined): number {
  const fd = typeof file === 'number' ? int(file, 'file', 0, INT32_MAX) : fileHandleFd(file)
  int(offset, 'offset', 0, Number.MAX_SAFE_INTEGER)
  if (count !== undefined && count !== null) int(count, 'count', 1, Number.MAX_SAFE_INTEGER)
  return fd
}

/** The buffer for the next read of a read-and-send sendfile, or null when `count` is done. */
function sendfileChunk(count: number | null | undefined, sent: number): Buffer | null {
  const left = count == null ? SENDFILE_CHUNK : Math.min(count - sent, SENDFILE_CHUNK)
  return left > 0 ? Buffer.allocUnsafe(left) : null
}
const SENDFILE_CHUNK = 64 * 1024

/** A positioned read on the thread pool. */
function readAt(fd: number, buf: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, 0, buf.length, position, (e, n) => (e ? reject(e) : resolve(n))))
}

function fileHandleFd(file: unknown): number {
  const fd = (file as { fd?: unknown } | null)?.fd
  if (typeof fd !== 'number') throw invalidArgType('file', 'a file descriptor number or a FileHandle', file)
  if (fd < 0) throw errnoError('EBADF', 'sendfile')
  return fd
}

/**
 * `socket(family = AF_INET, type = SOCK_STREAM, proto = 0)`: a new socket, as
 * `new Socket(…)`. Sockets are close-on-exec and start with {@link getdefaulttimeout}.
 */
export function socket(family: number = AF_INET, type: number = SOCK_STREAM, proto: number = 0): Socket {
  return new Socket(family, type, proto)
}
