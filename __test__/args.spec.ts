/**
 * No argument, however wrong, may abort the process or reach a syscall: every public
 * function is called with a matrix of wrong values and must throw a TypeError or
 * RangeError carrying one of Node's ERR_* codes (or, for values of the right type that
 * the kernel refuses, a SocketError) — never crash, never hang.
 */
import { afterAll, describe, expect, it } from 'vitest'

import * as bs from '../src/ts/index'

const WRONG: unknown[] = [
  undefined,
  null,
  NaN,
  -1,
  1.5,
  2 ** 31,
  2 ** 53,
  -(2 ** 53),
  Infinity,
  '',
  'x\0y',
  'a'.repeat(5000),
  {},
  [],
  [1, 2, 3, 4, 5, 6],
  ['127.0.0.1'],
  ['127.0.0.1', 'port'],
  ['127.0.0.1', 70000],
  [null, 80],
  Symbol('s'),
  10n,
  () => 0,
  Buffer.alloc(0),
  new Uint8Array(200),
  new ArrayBuffer(8),
  new Date(0),
]

const ARG_CODES = new Set([
  'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', // share/ioctl/fromshare off Windows
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
  'ERR_SOCKET_BAD_PORT',
])

function check(label: string, fn: () => unknown): void {
  try {
    const r = fn()
    if (r instanceof bs.Socket) r.close()
  } catch (e) {
    if (e instanceof bs.SocketError) return // a well-formed call the kernel refused
    if (e instanceof TypeError || e instanceof RangeError) {
      const code = (e as { code?: string }).code
      if (!code || !ARG_CODES.has(code)) throw new Error(`${label}: ${e.name} without an ERR_* code: ${e.message}`)
      return
    }
    throw new Error(`${label}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`)
  }
}

const sockets: bs.Socket[] = []
afterAll(() => {
  for (const s of sockets) s.close()
})

function fresh(): bs.Socket {
  const s = bs.socket(bs.AF_INET, bs.SOCK_DGRAM)
  s.settimeout(0) // never block, whatever a fuzzed call asks
  sockets.push(s)
  return s
}

describe('wrong arguments never crash', () => {
  it('Socket methods', () => {
    const methods: (keyof bs.Socket)[] = [
      'bind',
      'listen',
      'connectSync',
      'connectExSync',
      'recvSync',
      'recvIntoSync',
      'recvfromSync',
      'recvfromIntoSync',
      'recvmsgSync',
      'recvmsgIntoSync',
      'sendSync',
      'sendallSync',
      'sendtoSync',
      'sendmsgSync',
      'sendfileSync',
      'shutdown',
      'getsockopt',
      'setsockopt',
      'settimeout',
      'setblocking',
      'setInheritable',
      'share',
      'ioctl',
    ]
    let calls = 0
    for (const m of methods) {
      for (const a of WRONG) {
        for (const b of [undefined, ...WRONG.slice(0, 8)]) {
          const s = fresh()
          check(`${String(m)}(${String(a)}, ${String(b)})`, () => (s[m] as (...x: unknown[]) => unknown)(a, b, a))
          s.close()
          calls++
        }
      }
    }
    expect(calls).toBe(methods.length * WRONG.length * 9)
  })

  it('module functions', () => {
    const fns = [
      'socket',
      'socketpair',
      'fromfd',
      'fromshare',
      'createConnectionSync',
      'createServer',
      'sendFdsSync',
      'recvFdsSync',
      'getaddrinfoSync',
      'getnameinfoSync',
      'gethostbynameSync',
      'gethostbynameExSync',
      'gethostbyaddrSync',
      'getfqdnSync',
      'getservbyname',
      'getservbyport',
      'getprotobyname',
      'htons',
      'ntohs',
      'htonl',
      'ntohl',
      'inetAton',
      'inetNtoa',
      'inetPton',
      'inetNtop',
      'ifNametoindex',
      'ifIndextoname',
      'CMSG_LEN',
      'CMSG_SPACE',
      'setdefaulttimeout',
    ] as const
    let calls = 0
    for (const name of fns) {
      const fn = bs[name] as (...x: unknown[]) => unknown
      for (const a of WRONG) {
        for (const b of [undefined, ...WRONG.slice(0, 8)]) {
          // createConnection to a real address would connect: keep host/port invalid.
          if (name === 'createConnectionSync' && Array.isArray(a) && a.length === 2 && typeof a[1] === 'number' && a[1] <= 65535) continue
          check(`${name}(${String(a)}, ${String(b)})`, () => fn(a, b))
          calls++
        }
      }
      bs.setdefaulttimeout(null)
    }
    expect(calls).toBeGreaterThan(fns.length * WRONG.length * 8)
  })

  it('adopting odd fds', () => {
    for (const fd of [-1, 0.5, 2 ** 31, 999_999, NaN, '3', null]) {
      check(`fromFd(${String(fd)})`, () => bs.Socket.fromFd(fd as number))
      check(`new Socket(fileno=${String(fd)})`, () => new bs.Socket(-1, -1, -1, fd as number))
    }
  })
})
