/**
 * Receive buffers allocated on the JS side and filled natively: a Buffer created in
 * native code costs ~2 µs per call on our machines against ~0.1 µs for a pooled JS
 * slice, so `recv*` carve their results out of a shared pool like `Buffer.allocUnsafe`.
 * @internal
 */

const POOL_SIZE = 64 * 1024
// Larger requests get a buffer of their own.
const POOLED_MAX = 16 * 1024

let pool = Buffer.allocUnsafe(POOL_SIZE)
let used = 0

/** Where to receive up to `n` bytes: `[buffer, offset]`. Nothing is reserved until {@link commit}. */
export function reserve(n: number): Buffer {
  if (n > POOLED_MAX) return Buffer.allocUnsafe(n)
  if (used + n > POOL_SIZE) {
    pool = Buffer.allocUnsafe(POOL_SIZE)
    used = 0
  }
  return pool
}

/** The offset in `buf` that {@link reserve} meant. */
export function offsetIn(buf: Buffer): number {
  return buf === pool ? used : 0
}

/** Keeps `len` received bytes at `offset` of `buf` and returns them as a Buffer. */
export function commit(buf: Buffer, offset: number, len: number, cap: number): Buffer {
  const n = len < cap ? len : cap
  if (buf !== pool) {
    // A big buffer mostly empty would pin its memory: copy small results out.
    return n < buf.length >>> 2 ? Buffer.from(buf.subarray(0, n)) : buf.subarray(0, n)
  }
  const out = pool.subarray(offset, offset + n)
  used = (offset + n + 7) & ~7
  return out
}
