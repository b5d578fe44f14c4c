/**
 * Name and service resolution (CPython's `getaddrinfo`, `getnameinfo`,
 * `gethostbyname*`, `gethostbyaddr`, `getfqdn`, `gethostname`, `getserv*`,
 * `getprotobyname`). The `*Sync` forms block the calling thread.
 */
import type { SocketAddress } from './address'
import { native } from './native'
import { cancellable, prepare, type CallOptions } from './waiter'
import { cstring, int, int32, invalidArgType, port as checkPort, UINT32_MAX } from './validate'

/** One `getaddrinfo` answer: `[family, type, proto, canonname, sockaddr]`. */
export type AddrInfo = [family: number, type: number, proto: number, canonname: string, sockaddr: SocketAddress]

function hostArg(host: unknown): string | null {
  if (host === null || host === undefined) return null
  return cstring(host, 'host')
}

/**
 * `getaddrinfo(3)`. `port` may be a number, a service name, or null; like CPython 3.12+
 * numbers are passed as decimal strings without a range check.
 */
export function getaddrinfoSync(
  host: string | null | undefined,
  port: number | string | null | undefined,
  family: number = 0,
  type: number = 0,
  proto: number = 0,
  flags: number = 0,
): AddrInfo[] {
  return native.getaddrinfo(...addrinfoArgs(host, port, family, type, proto, flags)) as AddrInfo[]
}

function addrinfoArgs(
  host: unknown,
  port: unknown,
  family: unknown,
  type: unknown,
  proto: unknown,
  flags: unknown,
): [string | null, string | null, number, number, number, number] {
  let service: string | null = null
  if (typeof port === 'number') {
    if (!Number.isInteger(port)) throw invalidArgType('port', 'an integer, a string or null', port)
    service = String(port)
  } else if (typeof port === 'string') service = cstring(port, 'port')
  else if (port !== null && port !== undefined) throw invalidArgType('port', 'of type number, string or null', port)
  return [hostArg(host), service, int32(family, 'family'), int32(type, 'type'), int32(proto, 'proto'), int32(flags, 'flags')]
}

/** `getnameinfo(3)` of a numeric `[host, port, flowinfo?, scopeId?]` → `[host, service]`. */
export function getnameinfoSync(
  sockaddr: readonly [host: string, port: number, flowinfo?: number, scopeId?: number],
  flags: number = 0,
): [host: string, service: string] {
  if (!Array.isArray(sockaddr) || sockaddr.length < 2 || sockaddr.length > 4) {
    throw invalidArgType('sockaddr', 'an array [host, port, flowinfo?, scopeId?]', sockaddr)
  }
  return native.getnameinfo(...nameinfoArgs(sockaddr, flags))
}

function nameinfoArgs(sockaddr: readonly unknown[], flags: unknown): [string, number, number | null, number | null, number] {
  const host = cstring(sockaddr[0], 'sockaddr[0]')
  const p = checkPort(sockaddr[1], 'sockaddr[1]')
  const flowinfo = sockaddr[2] === undefined ? null : int(sockaddr[2], 'sockaddr[2]', 0, 0xfffff)
  const scope = sockaddr[3] === undefined ? null : int(sockaddr[3], 'sockaddr[3]', 0, UINT32_MAX)
  return [host, p, flowinfo, scope, int32(flags, 'flags')]
}

/** The IPv4 address of `host` (`''` → `'0.0.0.0'`, `'<broadcast>'` → `'255.255.255.255'`). */
export function gethostbynameSync(host: string): string {
  return native.gethostbyname(cstring(host, 'host'))
}

/** `[hostname, aliases, ipv4Addresses]` of `host`. */
export function gethostbynameExSync(host: string): [hostname: string, aliases: string[], addresses: string[]] {
  return native.gethostbynameEx(cstring(host, 'host'))
}

/** `[hostname, aliases, addresses]` for an address (reverse lookup). */
export function gethostbyaddrSync(ip: string): [hostname: string, aliases: string[], addresses: string[]] {
  return native.gethostbyaddr(cstring(ip, 'ip'))
}

/** The fully qualified name of `name` (default: this host), as CPython computes it. Never throws for lookup failures. */
export function getfqdnSync(name: string = ''): string {
  return native.getfqdn(cstring(name, 'name'))
}

/** `gethostname(2)`. */
export function gethostname(): string {
  return native.gethostname()
}

/** `sethostname(2)` (needs CAP_SYS_ADMIN; changes the host's name). */
export function sethostname(name: string | Uint8Array): void {
  const b = typeof name === 'string' ? Buffer.from(name, 'utf8') : name
  if (!(b instanceof Uint8Array)) throw invalidArgType('name', 'of type string or an instance of Buffer', name)
  native.sethostname(b)
}

/** Port number of a service (`getservbyname('http', 'tcp') === 80`); `ENOTFOUND` if unknown. */
export function getservbyname(servicename: string, protocolname?: string | null): number {
  return native.getservbyname(cstring(servicename, 'servicename'), protocolname == null ? null : cstring(protocolname, 'protocolname'))
}

/** Service name of a port (`getservbyport(80) === 'http'`); `ENOTFOUND` if unknown. */
export function getservbyport(port: number, protocolname?: string | null): string {
  int(port, 'port', 0, 0xffff)
  return native.getservbyport(port, protocolname == null ? null : cstring(protocolname, 'protocolname'))
}

/** Protocol number of a protocol name (`getprotobyname('udp') === 17`); `ENOTFOUND` if unknown. */
export function getprotobyname(protocolname: string): number {
  return native.getprotobyname(cstring(protocolname, 'protocolname'))
}

// ---- Promise forms: the lookup runs on the libuv thread pool ----------------------

/** Promise form of {@link getaddrinfoSync}; takes `{ signal, timeout }` last. */
export async function getaddrinfo(
  host: string | null | undefined,
  port: number | string | null | undefined,
  family: number = 0,
  type: number = 0,
  proto: number = 0,
  flags: number = 0,
  options?: CallOptions,
): Promise<AddrInfo[]> {
  const args = addrinfoArgs(host, port, family, type, proto, flags)
  const p = prepare(options, null)
  return (await cancellable(native.getaddrinfoAsync(...args, p.signal), p, 'getaddrinfo')) as AddrInfo[]
}

/** Promise form of {@link getnameinfoSync}. */
export async function getnameinfo(
  sockaddr: readonly [host: string, port: number, flowinfo?: number, scopeId?: number],
  flags: number = 0,
  options?: CallOptions,
): Promise<[host: string, service: string]> {
  if (!Array.isArray(sockaddr) || sockaddr.length < 2 || sockaddr.length > 4) {
    throw invalidArgType('sockaddr', 'an array [host, port, flowinfo?, scopeId?]', sockaddr)
  }
  const args = nameinfoArgs(sockaddr, flags)
  const p = prepare(options, null)
  return cancellable(native.getnameinfoAsync(...args, p.signal), p, 'getnameinfo')
}

/** Promise form of {@link gethostbynameSync}. */
export async function gethostbyname(host: string, options?: CallOptions): Promise<string> {
  const h = cstring(host, 'host')
  const p = prepare(options, null)
  return cancellable(native.gethostbynameAsync(h, p.signal), p, 'gethostbyname')
}

/** Promise form of {@link gethostbynameExSync}. */
export async function gethostbynameEx(host: string, options?: CallOptions): Promise<[hostname: string, aliases: string[], addresses: string[]]> {
  const h = cstring(host, 'host')
  const p = prepare(options, null)
  return cancellable(native.gethostbynameExAsync(h, p.signal), p, 'gethostbyname')
}

/** Promise form of {@link gethostbyaddrSync}. */
export async function gethostbyaddr(ip: string, options?: CallOptions): Promise<[hostname: string, aliases: string[], addresses: string[]]> {
  const h = cstring(ip, 'ip')
  const p = prepare(options, null)
  return cancellable(native.gethostbyaddrAsync(h, p.signal), p, 'gethostbyaddr')
}

/** Promise form of {@link getfqdnSync}. */
export async function getfqdn(name: string = '', options?: CallOptions): Promise<string> {
  const n = cstring(name, 'name')
  const p = prepare(options, null)
  return cancellable(native.getfqdnAsync(n, p.signal), p, 'getfqdn')
}
