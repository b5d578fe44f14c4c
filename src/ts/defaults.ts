/**
 * The default timeout for new sockets (CPython's `getdefaulttimeout`/`setdefaulttimeout`).
 * Per JS realm: each worker thread has its own, as each Python interpreter does.
 */
import { timeoutSeconds } from './validate'

let defaultTimeout: number | null = null

/** The timeout new sockets start with: `null` (blocking) unless {@link setdefaulttimeout} was called. */
export function getdefaulttimeout(): number | null {
  return defaultTimeout
}

/**
 * Sets the timeout, in seconds, of sockets created later (by `socket`, `socketpair`,
 * `fromfd`, `Socket.fromFd` and `accept`). `null` means blocking.
 */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = timeoutSeconds(timeout)
}
