// Loads bsd-sockets from this checkout's build (dist/, made by `npm run build`), or from
// the path in $BSD_SOCKETS, plus the little helpers every bsd-sockets bench program shares.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'

const require = createRequire(import.meta.url)
export const bsd = require(process.env.BSD_SOCKETS || '../../dist/index.js')

export const MSG = 64
export const now = () => performance.now() / 1000
export function fail(what) {
  console.error(`FAIL ${what}`)
  process.exit(1)
}

/** The mode: `sync` (the `*Sync` calls) or `async` (Promise calls, awaited). */
export function mode(arg) {
  if (arg !== 'sync' && arg !== 'async') fail(`first argument must be sync or async, got ${arg}`)
  return arg
}

/** struct timeval for SO_RCVTIMEO (x86-64/arm64 Linux: two 64-bit longs). */
export function timeval(secs) {
  const b = Buffer.alloc(16)
  b.writeBigInt64LE(BigInt(Math.floor(secs)), 0)
  b.writeBigInt64LE(BigInt(Math.round((secs % 1) * 1e6)), 8)
  return b
}
