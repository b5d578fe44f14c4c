import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_NUMERICHOST,
  AI_PASSIVE,
  AddressFamily,
  GaiError,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_STREAM,
  SocketError,
  SocketKind,
  getaddrinfoSync,
  getfqdnSync,
  gethostbyaddrSync,
  gethostbynameExSync,
  gethostbynameSync,
  gethostname,
  getnameinfoSync,
  getprotobyname,
  getservbyname,
  getservbyport,
  htonl,
  htons,
  ifIndextoname,
  ifNameindex,
  ifNametoindex,
  inetAton,
  inetNtoa,
  inetNtop,
  inetPton,
  ntohl,
  ntohs,
} from '../src/ts/index'

function caught(fn: () => unknown): Error & { code?: string; errno?: number } {
  try {
    fn()
  } catch (e) {
    return e as Error & { code?: string }
  }
  throw new Error('expected an error')
}

describe('getaddrinfo', () => {
  it('localhost gives stream, dgram and raw entries', () => {
    expect(getaddrinfoSync('localhost', 80)).toEqual([
      [AF_INET, SOCK_STREAM, IPPROTO_TCP, '', ['127.0.0.1', 80]],
      [AF_INET, SOCK_DGRAM, IPPROTO_UDP, '', ['127.0.0.1', 80]],
      [AF_INET, SOCK_RAW, 0, '', ['127.0.0.1', 80]],
    ])
    expect(AddressFamily[AF_INET]).toBe('AF_INET')
    expect(SocketKind[SOCK_DGRAM]).toBe('SOCK_DGRAM')
  })

  it('null host: loopback, or wildcard with AI_PASSIVE; services by name', () => {
    const loop = getaddrinfoSync(null, 'http', 0, SOCK_STREAM)
    expect(loop.map((r) => r[4])).toEqual(expect.arrayContaining([['127.0.0.1', 80], ['::1', 80, 0, 0]]))
    const wild = getaddrinfoSync(null, 80, AF_INET6, SOCK_STREAM, 0, AI_PASSIVE)
    expect(wild).toEqual([[AF_INET6, SOCK_STREAM, IPPROTO_TCP, '', ['::', 80, 0, 0]]])
    expect(getaddrinfoSync('fe80::1%lo', 7, AF_INET6, SOCK_DGRAM)[0]![4]).toEqual(['fe80::1', 7, 0, 1])
  })

  it('failures are GaiErrors with EAI codes', () => {
    const e1 = caught(() => getaddrinfoSync('nonexistent.invalid', 80))
    expect(e1).toBeInstanceOf(GaiError)
    expect(e1).toBeInstanceOf(SocketError)
    expect([e1.name, e1.code, e1.errno]).toEqual(['GaiError', 'EAI_NONAME', -2])
    expect(caught(() => getaddrinfoSync('', 80)).code).toBe('EAI_NONAME')
    expect(caught(() => getaddrinfoSync('127.0.0.1', 80, AF_INET6)).code).toBe('EAI_ADDRFAMILY')
    expect(caught(() => getaddrinfoSync('localhost', 80, AF_UNIX)).code).toBe('EAI_FAMILY')
    expect(caught(() => getaddrinfoSync('localhost', 'nosuchservice')).code).toBe('EAI_SERVICE')
    expect(caught(() => getaddrinfoSync('localhost', 80, 0, 9999)).code).toBe('EAI_SOCKTYPE')
    expect(caught(() => getaddrinfoSync('localhost', 80, 0, 0, 0, AI_NUMERICHOST)).code).toBe('EAI_NONAME')
    expect(caught(() => getaddrinfoSync('a\0b', 80)).code).toBe('ERR_INVALID_ARG_VALUE')
    expect(caught(() => getaddrinfoSync(42 as never, 80)).code).toBe('ERR_INVALID_ARG_TYPE')
    expect(caught(() => getaddrinfoSync('localhost', 1.5)).code).toBe('ERR_INVALID_ARG_TYPE')
  })
})

describe('reverse and host lookups', () => {
  it('getnameinfo', () => {
    expect(getnameinfoSync(['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV)).toEqual(['127.0.0.1', '80'])
    expect(getnameinfoSync(['127.0.0.1', 80])).toEqual(['localhost', 'http'])
    expect(getnameinfoSync(['fe80::1', 80, 0, 1], NI_NUMERICHOST | NI_NUMERICSERV)).toEqual(['fe80::1%lo', '80'])
    expect(caught(() => getnameinfoSync(['127.0.0.1', 80, 0, 0])).code).toBe('ERR_INVALID_ARG_VALUE')
    expect(caught(() => getnameinfoSync(['localhost', 80])).code).toBe('EAI_NONAME')
    expect(caught(() => getnameinfoSync('x' as never)).code).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('gethostbyname, gethostbynameEx, gethostbyaddr', () => {
    expect(gethostbynameSync('localhost')).toBe('127.0.0.1')
    expect(gethostbynameSync('LOCALHOST')).toBe('127.0.0.1')
    expect(gethostbynameSync('')).toBe('0.0.0.0')
    expect(gethostbynameSync('<broadcast>')).toBe('255.255.255.255')
    expect(gethostbynameSync('1.2.3')).toBe('1.2.0.3')
    expect(caught(() => gethostbynameSync('::1')).code).toBe('EAI_ADDRFAMILY')
    expect(caught(() => gethostbynameSync('nonexistent.invalid')).code).toBe('EAI_NONAME')
    expect(gethostbynameExSync('localhost')).toEqual(['localhost', [], ['127.0.0.1']])
    const [name, , addrs] = gethostbyaddrSync('127.0.0.1')
    expect(name).toBe('localhost')
    expect(addrs).toEqual(['127.0.0.1'])
    const e = caught(() => gethostbyaddrSync('203.0.113.7'))
    expect(e).toBeInstanceOf(SocketError)
    expect(e.code).toBe('ENOTFOUND')
  })

  it('gethostname and getfqdn', () => {
    expect(gethostname()).toBe(hostname())
    expect(getfqdnSync('nonexistent.invalid')).toBe('nonexistent.invalid')
    expect(getfqdnSync()).toBe(getfqdnSync('0.0.0.0'))
    expect(getfqdnSync()).toBe(getfqdnSync('::'))
    expect(getfqdnSync('localhost')).toBe('localhost')
  })

  it('services and protocols', () => {
    expect(getservbyname('http', 'tcp')).toBe(80)
    expect(getservbyname('http')).toBe(80)
    expect(getservbyname('domain', 'udp')).toBe(53)
    expect(getservbyport(80)).toBe('http')
    expect(getservbyport(53, 'udp')).toBe('domain')
    expect(getprotobyname('tcp')).toBe(6)
    expect(getprotobyname('udp')).toBe(17)
    expect(getprotobyname('icmp')).toBe(1)
    for (const [fn, syscall] of [
      [() => getservbyname('nosuchservice'), 'getservbyname'],
      [() => getservbyport(0), 'getservbyport'],
      [() => getprotobyname('nosuchproto'), 'getprotobyname'],
    ] as const) {
      const e = caught(fn) as SocketError
      expect(e).toBeInstanceOf(SocketError)
      expect([e.code, e.syscall]).toEqual(['ENOTFOUND', syscall])
    }
    expect(caught(() => getservbyport(65536)).code).toBe('ERR_OUT_OF_RANGE')
  })
})

describe('helpers', () => {
  it('byte order', () => {
    expect(htons(1)).toBe(256)
    expect(ntohs(htons(0x1234))).toBe(0x1234)
    expect(htonl(0x12345678)).toBe(0x78563412)
    expect(ntohl(htonl(0xdeadbeef))).toBe(0xdeadbeef)
    expect(caught(() => htons(0x10000)).code).toBe('ERR_OUT_OF_RANGE')
    expect(caught(() => htons(-1)).code).toBe('ERR_OUT_OF_RANGE')
    expect(caught(() => htonl(2 ** 32)).code).toBe('ERR_OUT_OF_RANGE')
    expect(caught(() => htonl(1.5)).code).toBe('ERR_OUT_OF_RANGE')
    expect(caught(() => htons('1' as never)).code).toBe('ERR_INVALID_ARG_TYPE')
  })

  it('inet_aton / inet_ntoa (glibc rules)', () => {
    expect([...inetAton('1.2.3')]).toEqual([1, 2, 0, 3])
    expect([...inetAton('1')]).toEqual([0, 0, 0, 1])
    expect([...inetAton('0x7f.0377.0.1')]).toEqual([127, 255, 0, 1])
    expect([...inetAton('1.2.3.4 junk')]).toEqual([1, 2, 3, 4])
    for (const bad of ['256.0.0.1', '', ' 1.2.3.4', '::1', 'a.0.0.0', '1.2.3.4.5']) {
      expect(caught(() => inetAton(bad))).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    }
    expect(inetNtoa(Buffer.from([127, 0, 0, 1]))).toBe('127.0.0.1')
    expect(caught(() => inetNtoa(Buffer.from([1, 2, 3]))).code).toBe('ERR_INVALID_ARG_VALUE')
  })

  it('inet_pton / inet_ntop (strict, RFC 5952)', () => {
    expect([...inetPton(AF_INET, '10.1.2.3')]).toEqual([10, 1, 2, 3])
    expect(caught(() => inetPton(AF_INET, '01.2.3.4')).code).toBe('ERR_INVALID_ARG_VALUE')
    expect(caught(() => inetPton(AF_INET6, 'fe80::1%lo')).code).toBe('ERR_INVALID_ARG_VALUE')
    expect(caught(() => inetPton(AF_UNIX, '1.2.3.4')).code).toBe('EAFNOSUPPORT')
    expect(inetNtop(AF_INET6, inetPton(AF_INET6, '2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1')
    expect(inetNtop(AF_INET6, Buffer.alloc(16))).toBe('::')
    expect(inetNtop(AF_INET6, inetPton(AF_INET6, '::ffff:1.2.3.4'))).toBe('::ffff:1.2.3.4')
    expect(inetNtop(AF_INET, Buffer.from([192, 0, 2, 1]))).toBe('192.0.2.1')
    expect(caught(() => inetNtop(AF_INET6, Buffer.alloc(4))).code).toBe('ERR_INVALID_ARG_VALUE')
  })

  it('interfaces', () => {
    const list = ifNameindex()
    expect(list).toContainEqual([1, 'lo'])
    expect(ifNametoindex('lo')).toBe(1)
    expect(ifIndextoname(1)).toBe('lo')
    expect((caught(() => ifNametoindex('nosuchif0')) as SocketError).code).toBe('ENOTFOUND')
    expect((caught(() => ifIndextoname(123456)) as SocketError).code).toBe('ENXIO')
    expect(caught(() => ifIndextoname(-1)).code).toBe('ERR_OUT_OF_RANGE')
  })
})
