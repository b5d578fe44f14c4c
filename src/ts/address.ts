/**
 * Address tuples (CPython's shapes) and their validation and encoding. A validated
 * address is encoded once into a raw `sockaddr`; numeric ones are cached so a hot
 * `sendto` loop does not re-encode.
 * @internal
 */
import { AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_UNIX } from './constants'
import { native } from './native'
import { cstring, int, invalidArgType, invalidArgValue, port as checkPort, UINT32_MAX } from './validate'

/** AF_INET: `[host, port]`. `''` is INADDR_ANY, `'<broadcast>'` INADDR_BROADCAST. */
export type InetAddress = readonly [host: string, port: number]
/** AF_INET6: `[host, port, flowinfo?, scopeId?]` (returned with all four). */
export type Inet6Address = readonly [host: string, port: number, flowinfo?: number, scopeId?: number]
/** AF_UNIX: a path, or a name starting with `'\0'` (Linux abstract namespace). */
export type UnixAddress = string | Uint8Array
/** AF_PACKET: `[ifname, proto, pkttype?, hatype?, addr?]`, proto in host byte order. */
export type PacketAddress = readonly [ifname: string, proto: number, pkttype?: number, hatype?: number, addr?: Uint8Array]
/** AF_NETLINK: `[pid, groups]`. */
export type NetlinkAddress = readonly [pid: number, groups: number]
/** Any address a call accepts (an address a call returned is accepted back as is). */
export type Address = InetAddress | Inet6Address | UnixAddress | PacketAddress | NetlinkAddress | SocketAddress

/** An address as returned by `getsockname`, `recvfrom`, `accept`…: */
export type SocketAddress =
  | [host: string, port: number]
  | [host: string, port: number, flowinfo: number, scopeId: number]
  | string
  | Buffer
  | [ifname: string, proto: number, pkttype: number, hatype: number, addr: Buffer]
  | [pid: number, groups: number]
  | [family: number, data: Buffer]


// Big enough for any sockaddr (sockaddr_storage is 128 bytes).
const scratch = Buffer.allocUnsafe(128)
const cache = new Map<string, Buffer>()
const CACHE_MAX = 256
const NUMERIC = /^(?:[0-9.]*|[0-9a-fA-F:.]*|<broadcast>)$/

function tuple(addr: unknown, name: string, min: number, max: number, shape: string): readonly unknown[] {
  if (!Array.isArray(addr)) throw invalidArgType(name, `an array ${shape}`, addr)
  if (addr.length < min || addr.length > max) {
    throw invalidArgValue(name, addr, `must be an array ${shape} (${min === max ? min : `${min} to ${max}`} items)`)
  }
  return addr
}

function remember(key: string, len: number): Buffer {
  const copy = Buffer.from(scratch.subarray(0, len))
  if (cache.size >= CACHE_MAX) cache.clear()
  cache.set(key, copy)
  return copy
}

// The last numeric AF_INET/AF_INET6 address encoded: a send loop passes the same tuple
// again and again. Its fields are compared too, since a caller may mutate the array.
let lastTuple: readonly unknown[] | undefined
let lastHost: unknown
let lastPort: unknown
let lastFamily = -1
let lastEncoded: Buffer | undefined

/**
 * Validates `addr` for a socket of `family` and returns its raw sockaddr. Throws
 * TypeError/RangeError for a wrong shape; resolves host names (GaiError on failure).
 */
export function encodeAddress(family: number, addr: unknown, name = 'address'): Uint8Array {
  if (
    addr === lastTuple &&
    family === lastFamily &&
    (addr as readonly unknown[])[0] === lastHost &&
    (addr as readonly unknown[])[1] === lastPort &&
    (addr as readonly unknown[]).length === 2
  ) {
    return lastEncoded!
  }
  switch (family) {
    case AF_INET: {
      const t = tuple(addr, name, 2, 2, '[host, port]')
      const host = cstring(t[0], `${name}[0]`)
      const port = checkPort(t[1], `${name}[1]`)
      const cacheable = NUMERIC.test(host)
      if (!cacheable) return scratch.subarray(0, native.encodeInet(host, port, scratch))
      const key = `4|${host}|${port}`
      const encoded = cache.get(key) ?? remember(key, native.encodeInet(host, port, scratch))
      lastTuple = t
      lastHost = host
      lastPort = port
      lastFamily = family
      lastEncoded = encoded
      return encoded
    }
    case AF_INET6: {
      const t = tuple(addr, name, 2, 4, '[host, port, flowinfo?, scopeId?]')
      const host = cstring(t[0], `${name}[0]`)
      const port = checkPort(t[1], `${name}[1]`)
      const flowinfo = t[2] === undefined ? 0 : int(t[2], `${name}[2]`, 0, 0xfffff)
      const scopeId = t[3] === undefined ? 0 : int(t[3], `${name}[3]`, 0, UINT32_MAX)
      const cacheable = NUMERIC.test(host)
      const key = cacheable ? `6|${host}|${port}|${flowinfo}|${scopeId}` : ''
      const hit = cacheable ? cache.get(key) : undefined
      if (hit) return hit
      const len = native.encodeInet6(host, port, flowinfo, scopeId, scratch)
      return cacheable ? remember(key, len) : scratch.subarray(0, len)
    }
    case AF_UNIX: {
      let bytes: Uint8Array
      if (typeof addr === 'string') bytes = Buffer.from(addr, 'utf8')
      else if (addr instanceof Uint8Array) bytes = addr
      else throw invalidArgType(name, 'of type string or an instance of Buffer or Uint8Array', addr)
      return scratch.subarray(0, native.encodeUnix(bytes, scratch))
    }
    case AF_PACKET: {
      const t = tuple(addr, name, 2, 5, '[ifname, proto, pkttype?, hatype?, addr?]')
      const ifname = cstring(t[0], `${name}[0]`)
      const proto = int(t[1], `${name}[1]`, 0, 0xffff)
      const pkttype = t[2] === undefined ? 0 : int(t[2], `${name}[2]`, 0, 0xff)
      const hatype = t[3] === undefined ? 0 : int(t[3], `${name}[3]`, 0, 0xffff)
      let hw: Uint8Array = Buffer.alloc(0)
      if (t[4] !== undefined) {
        if (!(t[4] instanceof Uint8Array)) throw invalidArgType(`${name}[4]`, 'an instance of Buffer or Uint8Array', t[4])
        hw = t[4]
      }
      return scratch.subarray(0, native.encodePacket(ifname, proto, pkttype, hatype, hw, scratch))
    }
    case AF_NETLINK: {
      const t = tuple(addr, name, 2, 2, '[pid, groups]')
      const pid = int(t[0], `${name}[0]`, 0, UINT32_MAX)
      const groups = int(t[1], `${name}[1]`, 0, UINT32_MAX)
      return scratch.subarray(0, native.encodeNetlink(pid, groups, scratch))
    }
    default:
      throw invalidArgValue('family', family, 'is not an address family bsd-sockets can encode addresses for')
  }
}

/**
 * Where a receive writes its sender's address: `[len: u16 LE][raw sockaddr]`. Decoded
 * at once by {@link takeSender}, so one buffer serves every call.
 */
export const senderScratch = Buffer.alloc(2 + 128)

// IPv4 host strings by address: a server hears from the same few peers again and again.
const hosts = new Map<number, string>()
const HOSTS_MAX = 4096

/** The sender a receive left in {@link senderScratch}: a tuple, or null for none. */
export function takeSender(): SocketAddress | null {
  const len = senderScratch.readUInt16LE(0)
  if (len < 2) return null
  // sa_family_t is host-endian; every platform we build for is little-endian.
  const family = senderScratch.readUInt16LE(2)
  if (family === AF_INET && len >= 8) {
    const port = senderScratch.readUInt16BE(4)
    const key = senderScratch.readUInt32BE(6)
    let host = hosts.get(key)
    if (host === undefined) {
      host = `${key >>> 24}.${(key >>> 16) & 255}.${(key >>> 8) & 255}.${key & 255}`
      if (hosts.size >= HOSTS_MAX) hosts.clear()
      hosts.set(key, host)
    }
    return [host, port]
  }
  if (family === 0) return null
  return native.decodeAddress(senderScratch.subarray(2, 2 + len)) as SocketAddress | null
}
