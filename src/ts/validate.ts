/**
 * Argument checks that throw Node's own error shapes (`ERR_INVALID_ARG_TYPE`,
 * `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`, `ERR_SOCKET_BAD_PORT`) before any syscall.
 * @internal
 */
import { inspect } from 'node:util'

function received(value: unknown): string {
  if (value === null) return 'Received null'
  if (value === undefined) return 'Received undefined'
  if (typeof value === 'function') return `Received function ${value.name || '<anonymous>'}`
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name
    return name ? `Received an instance of ${name}` : `Received ${inspect(value, { depth: -1 })}`
  }
  let shown = inspect(value, { colors: false })
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`
  return `Received type ${typeof value} (${shown})`
}

/** A `TypeError` with `code` `ERR_INVALID_ARG_TYPE`. */
export function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  const e = new TypeError(`The "${name}" argument must be ${expected}. ${received(value)}`)
  return Object.assign(e, { code: 'ERR_INVALID_ARG_TYPE' })
}

/** A `TypeError` with `code` `ERR_INVALID_ARG_VALUE`. */
export function invalidArgValue(name: string, value: unknown, reason: string): TypeError {
  let shown = inspect(value, { colors: false, depth: 1 })
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`
  const e = new TypeError(`The argument '${name}' ${reason}. Received ${shown}`)
  return Object.assign(e, { code: 'ERR_INVALID_ARG_VALUE' })
}

/** A `TypeError` with `code` `ERR_FEATURE_UNAVAILABLE_ON_PLATFORM`, worded as Node's. */
export function featureUnavailable(feature: string): TypeError {
  const e = new TypeError(`The feature ${feature} is unavailable on the current platform, which is being used to run Node.js`)
  return Object.assign(e, { code: 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM' })
}

/** A `RangeError` with `code` `ERR_OUT_OF_RANGE`. */
export function outOfRange(name: string, range: string, value: unknown): RangeError {
  const e = new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${inspect(value)}`)
  return Object.assign(e, { code: 'ERR_OUT_OF_RANGE' })
}

/** An integer in [min, max]. */
export function int(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value)
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value)
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value)
  return value
}

export const INT32_MIN = -0x80000000
export const INT32_MAX = 0x7fffffff
export const UINT32_MAX = 0xffffffff

/** A C `int` (flags, levels, option names, families…). */
export function int32(value: unknown, name: string): number {
  return int(value, name, INT32_MIN, INT32_MAX)
}

/** A non-negative C `int` (sizes). */
export function size(value: unknown, name: string): number {
  return int(value, name, 0, INT32_MAX)
}

/** A port: an integer 0..65535, else `ERR_SOCKET_BAD_PORT` as Node's net does. */
export function port(value: unknown, name = 'port'): number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value)
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    const e = new RangeError(`${name} should be >= 0 and < 65536. Received type number (${value}).`)
    throw Object.assign(e, { code: 'ERR_SOCKET_BAD_PORT' })
  }
  return value
}

/** A string without NUL bytes (the C side would silently cut it). */
export function cstring(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value)
  if (value.includes('\0')) throw invalidArgValue(name, value, 'must be a string without null bytes')
  return value
}

/** Bytes to send: Buffer/Uint8Array as is, other views re-viewed, strings as UTF-8. */
export function bytes(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  throw invalidArgType(name, 'of type string or an instance of Buffer, TypedArray, or DataView', value)
}

/** A writable byte view of a caller's buffer, for `recvInto`. */
export function writableBytes(value: unknown, name: string): Uint8Array {
  if (value instanceof Uint8Array) return value
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  throw invalidArgType(name, 'an instance of Buffer, TypedArray, or DataView', value)
}

/** Seconds for a timeout: `null`/`undefined` (blocking) or a finite number >= 0. */
export function timeoutSeconds(value: unknown, name = 'timeout'): number | null {
  if (value === null || value === undefined) return null
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number or null', value)
  if (Number.isNaN(value) || value < 0 || !Number.isFinite(value)) throw outOfRange(name, 'a finite number >= 0', value)
  return value === 0 ? 0 : value
}

/** An options object (or undefined → `{}`). */
export function options<T extends object>(value: unknown, name = 'options'): Partial<T> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgType(name, 'of type object', value)
  return value as Partial<T>
}

/** A boolean. */
export function bool(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value)
  return value
}
