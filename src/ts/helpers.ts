/**
 * Byte order, address text, interface names and CMSG sizes (CPython's `htons`…,
 * `inet_*`, `if_*`, `CMSG_LEN`/`CMSG_SPACE`).
 */
import { endianness } from 'node:os'

import { native } from './native'
import { bytes, cstring, int, int32, invalidArgType, size, UINT32_MAX } from './validate'

const LITTLE = endianness() === 'LE'

function swap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff)
}

function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0
}

/** Host to network byte order, 16 bits. */
export function htons(x: number): number {
  int(x, 'x', 0, 0xffff)
  return LITTLE ? swap16(x) : x
}

/** Network to host byte order, 16 bits. */
export function ntohs(x: number): number {
  return htons(x)
}

/** Host to network byte order, 32 bits. */
export function htonl(x: number): number {
  int(x, 'x', 0, UINT32_MAX)
  return LITTLE ? swap32(x) : x
}

/** Network to host byte order, 32 bits. */
export function ntohl(x: number): number {
  return htonl(x)
}

/** `inet_aton(3)`: dotted IPv4 text (glibc's lenient forms too: `'127.1'`) → 4 bytes. */
export function inetAton(ipString: string): Buffer {
  return native.inetAton(cstring(ipString, 'ipString'))
}

/** 4 bytes → dotted quad. */
export function inetNtoa(packedIp: ArrayBufferView): string {
  return native.inetNtoa(bytes(packedIp, 'packedIp'))
}

/** `inet_pton(3)`: strict text → packed bytes (4 for AF_INET, 16 for AF_INET6). */
export function inetPton(addressFamily: number, ipString: string): Buffer {
  return native.inetPton(int32(addressFamily, 'addressFamily'), cstring(ipString, 'ipString'))
}

/** `inet_ntop(3)`: packed bytes → text (RFC 5952 for IPv6). */
export function inetNtop(addressFamily: number, packedIp: ArrayBufferView): string {
  if (!ArrayBuffer.isView(packedIp)) throw invalidArgType('packedIp', 'an instance of Buffer or TypedArray', packedIp)
  return native.inetNtop(int32(addressFamily, 'addressFamily'), bytes(packedIp, 'packedIp'))
}

/** `if_nameindex(3)`: `[index, name]` of every interface. */
export function ifNameindex(): [index: number, name: string][] {
  return native.ifNameindex()
}

/** `if_nametoindex(3)`; `ENOTFOUND` for an unknown name. */
export function ifNametoindex(ifname: string): number {
  return native.ifNametoindex(cstring(ifname, 'ifname'))
}

/** `if_indextoname(3)`; `ENXIO` for an unknown index. */
export function ifIndextoname(ifindex: number): string {
  return native.ifIndextoname(int(ifindex, 'ifindex', 0, UINT32_MAX))
}

/** `CMSG_LEN(length)`: the cmsg_len of an item with `length` bytes of data. */
export function CMSG_LEN(length: number): number {
  return native.CMSG_LEN(size(length, 'length'))
}

/** `CMSG_SPACE(length)`: the buffer room an item with `length` bytes of data takes. */
export function CMSG_SPACE(length: number): number {
  return native.CMSG_SPACE(size(length, 'length'))
}
