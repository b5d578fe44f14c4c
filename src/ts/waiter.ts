/**
 * Waiting for a socket to become ready, with the socket's timeout, a per-call
 * `{ timeout, signal }`, and cancellation that never consumes data: a wait only reports
 * readiness, and the caller retries its own non-blocking syscall after each one.
 * @internal
 */
import { AbortError, timeoutError } from './errors'
import { native } from './native'
import { invalidArgType, timeoutSeconds } from './validate'

/** Per-call options of every Promise-returning call. */
export interface CallOptions {
  /** Aborts the call: it rejects with an `AbortError` and consumes no data. */
  signal?: AbortSignal
  /** A deadline for this call, in seconds (combined with the socket's own timeout). */
  timeout?: number
}

/** What a non-blocking attempt returns when it would block. */
export const WOULD_BLOCK = -1

const READY = 1
const CANCELLED = 0

let nextId = 1

/** Validated options: the signal, and the call's deadline in ms from now (or undefined). */
export interface Prepared {
  signal: AbortSignal | undefined
  deadline: number | undefined
}

/**
 * Checks `options` and combines its timeout with the socket's (`t > 0` is a deadline for
 * each async call). Throws (so the async caller rejects) before any syscall, including
 * for a signal that is already aborted.
 */
const NOTHING: Prepared = Object.freeze({ signal: undefined, deadline: undefined })

export function prepare(options: CallOptions | undefined, socketTimeout: number | null): Prepared {
  if (options === undefined && (socketTimeout === null || socketTimeout === 0)) return NOTHING
  let signal: AbortSignal | undefined
  let timeout: number | null = null
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') throw invalidArgType('options', 'of type object', options)
    signal = options.signal
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw invalidArgType('options.signal', 'an instance of AbortSignal', signal)
    }
    timeout = timeoutSeconds(options.timeout, 'options.timeout')
  }
  if (signal?.aborted) throw abortError(signal)
  let secs: number | undefined
  if (socketTimeout !== null && socketTimeout > 0) secs = socketTimeout
  if (timeout !== null && (secs === undefined || timeout < secs)) secs = timeout
  return { signal, deadline: secs === undefined ? undefined : performance.now() + secs * 1000 }
}

/** The AbortError of an aborted signal. */
export function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason })
}

/**
 * Waits for readiness (`write` or read) on the watched socket in `slot` and calls
 * `attempt` after each wakeup until it stops returning {@link WOULD_BLOCK}. Rejects
 * with an AbortError, a TimeoutError at the deadline, or `closed()` when the socket is
 * closed meanwhile. Leaves no listener or timer behind; calls `done` when it ends.
 */
export async function waitUntil<T>(
  slot: number,
  write: boolean,
  p: Prepared,
  syscall: string,
  closed: () => Error | undefined,
  attempt: () => T | typeof WOULD_BLOCK,
  done: () => void,
): Promise<T> {
  let id = 0
  let why: 'abort' | 'timeout' | undefined
  const cancel = (reason: 'abort' | 'timeout') => {
    why ??= reason
    native.pollCancel(slot, id)
  }
  const onAbort = () => cancel('abort')
  p.signal?.addEventListener('abort', onAbort, { once: true })
  let timer: NodeJS.Timeout | undefined
  if (p.deadline !== undefined) {
    timer = setTimeout(() => cancel('timeout'), Math.max(0, p.deadline - performance.now()))
    // The poll handle decides whether a pending call keeps the process alive.
    timer.unref()
  }
  try {
    for (;;) {
      if (why === 'abort') throw abortError(p.signal!)
      if (why === 'timeout') throw timeoutError(syscall)
      id = nextId
      nextId = nextId >= 0x7fffffff ? 1 : nextId + 1
      const outcome = await native.pollWait(slot, write, id)
      const gone = closed()
      if (gone) throw gone
      if (outcome === CANCELLED) continue // `why` says which
      if (outcome !== READY) throw closed() ?? new Error('bsd-sockets: socket closed while waiting')
      const r = attempt()
      if (r !== WOULD_BLOCK) return r as T
    }
  } finally {
    if (timer) clearTimeout(timer)
    p.signal?.removeEventListener('abort', onAbort)
    done()
  }
}

/**
 * Settles like `work`, unless the call's signal aborts first (AbortError) or its
 * deadline passes (TimeoutError). For work that cannot be interrupted (a lookup on the
 * thread pool): its late result is dropped.
 */
export function cancellable<T>(work: Promise<T>, p: Prepared, syscall: string): Promise<T> {
  if (p.signal === undefined && p.deadline === undefined) return work
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined
    const done = () => {
      if (timer) clearTimeout(timer)
      p.signal?.removeEventListener('abort', onAbort)
    }
    const onAbort = () => {
      done()
      reject(abortError(p.signal!))
    }
    p.signal?.addEventListener('abort', onAbort, { once: true })
    if (p.deadline !== undefined) {
      timer = setTimeout(() => {
        done()
        reject(timeoutError(syscall))
      }, Math.max(0, p.deadline - performance.now()))
    }
    work.then(
      (v) => {
        done()
        resolve(v)
      },
      (e) => {
        done()
        reject(e)
      },
    )
  })
}
