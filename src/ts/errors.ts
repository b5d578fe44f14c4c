/**
 * Error classes. OS errors are {@link SocketError}s shaped like Node's system errors;
 * resolver failures are {@link GaiError}s; timeouts are {@link TimeoutError}s. The
 * native side creates instances of these classes directly.
 */
import { native } from './native'

/** Properties every {@link SocketError} may carry. */
export interface SocketErrorProps {
  code?: string
  errno?: number
  syscall?: string
  address?: string
  port?: number
}

/**
 * An OS-level failure (CPython's `OSError`). `code` is the errno name (`'ECONNREFUSED'`),
 * `errno` the positive errno number, `syscall` the failing call; `address`/`port` name
 * the peer when the call had one. Lookups that find nothing have code `ENOTFOUND`.
 */
export class SocketError extends Error {
  /** errno name, e.g. `'ECONNREFUSED'`. */
  declare code: string
  /** Positive errno number (EAI_* value for {@link GaiError}). */
  declare errno?: number
  /** The failing call, e.g. `'connect'`. */
  declare syscall?: string
  /** The address the call was about, when known. */
  declare address?: string
  /** The port the call was about, when known. */
  declare port?: number
  /** `strerror(errno)`, e.g. `'Connection refused'`. */
  declare strerror?: string

  constructor(message: string, props?: SocketErrorProps) {
    super(message)
    if (props) Object.assign(this, props)
  }
}
SocketError.prototype.name = 'SocketError'

/** A `getaddrinfo`/`getnameinfo` failure (CPython's `gaierror`): `code` is `'EAI_NONAME'` etc. */
export class GaiError extends SocketError {}
GaiError.prototype.name = 'GaiError'

/**
 * The socket's timeout (or a call's own deadline) ran out (CPython's `socket.timeout`).
 * `code === 'ETIMEDOUT'`, message `'timed out'`.
 */
export class TimeoutError extends SocketError {}
TimeoutError.prototype.name = 'TimeoutError'

/**
 * An async call was aborted through its `signal` (`code === 'ABORT_ERR'`, like Node's
 * own AbortError). `cause` is the signal's reason. No data was consumed.
 */
export class AbortError extends Error {
  /** Always `'ABORT_ERR'`. */
  declare code: 'ABORT_ERR'

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options)
    this.code = 'ABORT_ERR'
  }
}
AbortError.prototype.name = 'AbortError'

native.setErrorClasses(SocketError, GaiError, TimeoutError)

const errnoNames = native.errnoNames()
const errnoValues = new Map(Object.entries(errnoNames).map(([n, name]) => [name, Number(n)]))

/**
 * This platform's number for an errno name: errno values differ between systems
 * (`EINPROGRESS` is 115 on Linux, 36 on macOS) and on Windows are Winsock's `WSAE*`
 * codes, so none is written down here.
 */
export function errnoOf(name: string): number {
  return errnoValues.get(name) ?? 0
}

export const EBADF = errnoOf('EBADF')
export const EAGAIN = errnoOf('EAGAIN')
const ETIMEDOUT = errnoOf('ETIMEDOUT')

/** A SocketError for an errno number the native side returned instead of throwing. */
export function errnoToError(errno: number, syscall: string, address?: string, port?: number): SocketError {
  const code = errnoNames[errno] ?? `E${errno}`
  const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`
  const e = new SocketError(`${syscall} ${code}${where}`, { code, errno, syscall })
  if (address !== undefined) e.address = address
  if (port !== undefined) e.port = port
  return e
}

/** The TimeoutError an async call's deadline produces. */
export function timeoutError(syscall: string): TimeoutError {
  return new TimeoutError('timed out', { code: 'ETIMEDOUT', errno: ETIMEDOUT, syscall })
}

/** A `SocketError` for `errno`, built on the JS side (closed sockets, argument-less failures). */
export function errnoError(code: string, syscall: string, message?: string): SocketError {
  return new SocketError(message ?? `${syscall} ${code}`, { code, errno: errnoOf(code), syscall })
}
