/**
 * Runs the "other end" of an example in a worker thread.
 *
 * The `*Sync` calls block the thread that makes them, exactly as Python's socket calls
 * do. A server and a client in one thread would therefore wait for each other forever,
 * so each example runs one side in a `node:worker_threads` Worker and the other on the
 * main thread. The worker loads the example's own .ts file (through tsx's require hook)
 * and calls one of its exported functions.
 *
 * Every wait stays bounded: the examples put a 5 s timeout on each socket, and this
 * helper terminates a worker that has not finished after `limitMs`.
 */
import { Worker } from 'node:worker_threads'

/**
 * A function the worker runs. It calls `ready(info)` once the main thread may connect
 * (info: usually the port or path it listens on). It must be exported by its file under
 * its own name, and `arg`, `info` and its result must be structured-cloneable.
 */
export type PeerFunction<I, A, R> = (ready: (info: I) => void, arg: A) => R | Promise<R>

/** A running peer. */
export interface Peer<I, R> {
  /** Resolves with what the peer passed to `ready()` (usually the address it listens on). */
  ready: Promise<I>
  /** Resolves with the peer function's return value, or rejects with its error. */
  done: Promise<R>
  /** Stops the worker (waits for a blocked call in it to return first). */
  stop(): Promise<void>
}

// The worker's entry point. It is plain CommonJS, so it needs no loader; it then
// registers tsx so that it can require the example's TypeScript file.
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads')
require(workerData.tsx).register()
const post = (m) => parentPort.postMessage(m)
Promise.resolve()
  .then(() => {
    const fn = require(workerData.file)[workerData.fn]
    if (typeof fn !== 'function') throw new Error(workerData.file + ' does not export a function ' + workerData.fn)
    return fn((info) => post({ kind: 'ready', info }), workerData.arg)
  })
  .then(
    (value) => post({ kind: 'done', value }),
    (e) => post({ kind: 'error', name: e && e.name, message: e && e.message !== undefined ? e.message : String(e), code: e && e.code }),
  )
`

interface ErrorMessage {
  kind: 'error'
  name?: string
  message: string
  code?: string
}

/**
 * Starts `peer` (a function exported under its own name by the module `file`) in a
 * worker thread, passing it `arg`.
 */
export function startPeer<I, A, R>(file: string, peer: PeerFunction<I, A, R>, arg: A, limitMs = 8000): Peer<I, R> {
  const fn = peer.name
  const worker = new Worker(BOOT, {
    eval: true,
    workerData: { tsx: require.resolve('tsx/cjs/api'), file, fn, arg },
  })
  let finished = false
  let onReady!: (info: I) => void
  let onDone!: (value: R) => void
  let onFail!: (e: Error) => void
  const ready = new Promise<I>((resolve) => (onReady = resolve))
  const done = new Promise<R>((resolve, reject) => {
    onDone = resolve
    onFail = reject
  })
  // A peer that dies before calling ready() must not leave `await ready` hanging.
  const readyOrFail = Promise.race([ready, done.then(() => Promise.reject(new Error(`peer ${fn} finished without calling ready()`)))])
  readyOrFail.catch(() => {})
  done.catch(() => {})

  const fail = (e: Error) => {
    if (finished) return
    finished = true
    onFail(e)
  }
  const watchdog = setTimeout(() => {
    fail(new Error(`peer ${fn} did not finish within ${limitMs} ms`))
    void worker.terminate()
  }, limitMs)

  worker.on('message', (m: { kind: 'ready'; info: I } | { kind: 'done'; value: R } | ErrorMessage) => {
    if (m.kind === 'ready') onReady(m.info)
    else if (m.kind === 'done') {
      finished = true
      clearTimeout(watchdog)
      onDone(m.value)
    } else {
      clearTimeout(watchdog)
      const e = new Error(`${m.name ?? 'Error'} in ${fn}: ${m.message}`) as Error & { code?: string }
      if (m.code !== undefined) e.code = m.code
      fail(e)
    }
  })
  worker.on('error', (e) => {
    clearTimeout(watchdog)
    fail(e)
  })
  worker.on('exit', (code) => {
    clearTimeout(watchdog)
    fail(new Error(`peer ${fn} exited (code ${code}) before finishing`))
  })

  return {
    ready: readyOrFail,
    done,
    stop: async () => {
      clearTimeout(watchdog)
      await worker.terminate()
    },
  }
}

/**
 * Runs `client` on this thread while the peer runs in its worker, and returns both
 * results. The worker is always stopped, whatever happens.
 */
export async function withPeer<I, A, R, C>(
  file: string,
  peer: PeerFunction<I, A, R>,
  arg: A,
  client: (info: I) => C,
): Promise<{ server: R; client: C }> {
  const running = startPeer(file, peer, arg)
  try {
    const info = await running.ready
    const clientResult = client(info)
    const server = await running.done
    return { server, client: clientResult }
  } finally {
    await running.stop()
  }
}
