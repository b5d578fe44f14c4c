import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  MSG_TRUNC,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_BROADCAST,
  Socket,
  SocketError,
  socket,
  socketpair,
  type InetAddress,
} from '../src/ts/index'
import { caught, tempDir, useSockets } from './helpers'

const { track, cleanups } = useSockets()

function udp(family = AF_INET): Socket {
  const s = track(socket(family, SOCK_DGRAM))
  s.bind([family === AF_INET ? '127.0.0.1' : '::1', 0])
  s.settimeout(5)
  return s
}

describe('UDP', () => {
  it('sendto (both overloads) and recvfrom with the sender’s address', () => {
    const a = udp()
    const b = udp()
    expect(a.sendtoSync('one', b.getsockname() as InetAddress)).toBe(3)
    expect(a.sendtoSync(Buffer.from('two'), 0, b.getsockname() as InetAddress)).toBe(3)
    expect(b.recvfromSync(100)).toEqual([Buffer.from('one'), a.getsockname()])
    const [data, addr] = b.recvfromSync(100)
    expect([data.toString(), addr]).toEqual(['two', a.getsockname()])
    expect(() => (a.sendtoSync as (d: string) => number)('x')).toThrow(TypeError)
  })

  it('a reused address array is re-read each call (mutating it changes the destination)', () => {
    const a = udp()
    const b = udp()
    const c = udp()
    const to: [string, number] = ['127.0.0.1', (b.getsockname() as InetAddress)[1]]
    a.sendtoSync('to b', to)
    to[1] = (c.getsockname() as InetAddress)[1]
    a.sendtoSync('to c', to)
    to[1] = 70000
    expect(() => a.sendtoSync('nowhere', to)).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }))
    expect(b.recvSync(10).toString()).toBe('to b')
    expect(c.recvSync(10).toString()).toBe('to c')
  })

  it('zero-length datagrams arrive as empty Buffers and are not EOF', () => {
    const a = udp()
    const b = udp()
    const to = b.getsockname() as InetAddress
    a.sendtoSync('', to)
    a.sendtoSync('after', to)
    const [empty, from] = b.recvfromSync(10)
    expect(empty.length).toBe(0)
    expect(from).toEqual(a.getsockname())
    expect(b.recvSync(10).toString()).toBe('after')
  })

  it('datagrams are truncated to bufsize and the rest discarded; recvmsg says MSG_TRUNC', () => {
    const a = udp()
    const b = udp()
    const to = b.getsockname() as InetAddress
    a.sendtoSync('0123456789', to)
    a.sendtoSync('abcdefghij', to)
    expect(b.recvSync(4).toString()).toBe('0123')
    const [data, anc, flags, addr] = b.recvmsgSync(4)
    expect(data.toString()).toBe('abcd')
    expect(anc).toEqual([])
    expect(flags & MSG_TRUNC).toBe(MSG_TRUNC)
    expect(addr).toEqual(a.getsockname())
    // MSG_TRUNC on recv: the kernel reports the full length; we return only what fits
    // (CPython returns uninitialised padding here).
    a.sendtoSync('0123456789', to)
    expect(b.recvSync(4, MSG_TRUNC).toString()).toBe('0123')
    a.sendtoSync('0123456789', to)
    const small = Buffer.alloc(4)
    expect(b.recvIntoSync(small, 0, MSG_TRUNC)).toBe(10)
    expect(small.toString()).toBe('0123')
  })

  it('recvfromInto fills the caller’s buffer', () => {
    const a = udp()
    const b = udp()
    a.sendtoSync('into', b.getsockname() as InetAddress)
    const buf = Buffer.alloc(16)
    expect(b.recvfromIntoSync(buf)).toEqual([4, a.getsockname()])
    expect(buf.subarray(0, 4).toString()).toBe('into')
    expect(() => b.recvfromIntoSync(Buffer.alloc(8), 1024)).toThrow(RangeError)
  })

  it('connected UDP: send/recv; ICMP port unreachable surfaces as ECONNREFUSED', () => {
    const a = udp()
    const b = udp()
    a.connectSync(b.getsockname() as InetAddress)
    b.connectSync(a.getsockname() as InetAddress)
    a.sendSync('hi')
    expect(b.recvSync(10).toString()).toBe('hi')
    const dead = track(socket(AF_INET, SOCK_DGRAM))
    dead.bind(['127.0.0.1', 0])
    const deadAddr = dead.getsockname() as InetAddress
    dead.close()
    const c = udp()
    c.connectSync(deadAddr)
    c.sendSync('anyone?')
    const e = caught(() => c.recvSync(10))
    expect([e.code, e.errno]).toEqual(['ECONNREFUSED', 111])
  })

  it('unconnected send is EDESTADDRREQ; broadcast needs SO_BROADCAST', () => {
    const a = udp()
    expect(caught(() => a.sendSync('x')).code).toBe('EDESTADDRREQ')
    const e = caught(() => a.sendtoSync('x', ['<broadcast>', 9]))
    expect([e.code, e.address, e.port]).toEqual(['EACCES', '255.255.255.255', 9])
    a.setsockopt(SOL_SOCKET, SO_BROADCAST, 1)
    expect(a.getsockopt(SOL_SOCKET, SO_BROADCAST)).toBe(1)
  })

  it('oversized datagrams are EMSGSIZE', () => {
    const a = udp()
    expect(caught(() => a.sendtoSync(Buffer.alloc(70_000), ['127.0.0.1', 9])).code).toBe('EMSGSIZE')
  })

  it('host names resolve; "" is INADDR_ANY', () => {
    const a = track(socket(AF_INET, SOCK_DGRAM))
    a.bind(['', 0])
    expect((a.getsockname() as InetAddress)[0]).toBe('0.0.0.0')
    const b = udp()
    a.sendtoSync('by name', ['localhost', (b.getsockname() as InetAddress)[1]])
    expect(b.recvSync(20).toString()).toBe('by name')
    // glibc's lenient numeric forms work, as in Python.
    a.sendtoSync('short form', ['127.1', (b.getsockname() as InetAddress)[1]])
    expect(b.recvSync(20).toString()).toBe('short form')
    expect(caught(() => a.sendtoSync('x', ['nonexistent.invalid', 9])).name).toBe('GaiError')
  })

  it('IPv6 datagrams carry 4-tuples', () => {
    const a = udp(AF_INET6)
    const b = udp(AF_INET6)
    a.sendtoSync('v6', b.getsockname() as InetAddress)
    a.sendtoSync('v6 full', ['::1', (b.getsockname() as InetAddress)[1], 0, 0])
    const [data, addr] = b.recvfromSync(10)
    expect(data.toString()).toBe('v6')
    expect(addr).toEqual(['::1', (a.getsockname() as InetAddress)[1], 0, 0])
    expect(b.recvSync(10).toString()).toBe('v6 full')
    expect(caught(() => a.sendtoSync('x', ['127.0.0.1', 9])).name).toBe('GaiError')
  })

  it('recvfrom on a connected stream socket returns address null', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_STREAM))
    a.sendSync('x')
    expect(b.recvfromSync(1)).toEqual([Buffer.from('x'), null])
  })
})

describe('AF_UNIX datagrams and SEQPACKET', () => {
  it('an unbound sender’s address is null; a bound one is its path', () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const path = join(dir, 'rx.sock')
    const rx = track(socket(AF_UNIX, SOCK_DGRAM))
    rx.bind(path)
    rx.settimeout(5)
    const anon = track(socket(AF_UNIX, SOCK_DGRAM))
    anon.sendtoSync('anon', path)
    expect(rx.recvfromSync(10)).toEqual([Buffer.from('anon'), null])
    const named = track(socket(AF_UNIX, SOCK_DGRAM))
    named.bind(join(dir, 'tx.sock'))
    named.sendtoSync('named', path)
    expect(rx.recvfromSync(10)).toEqual([Buffer.from('named'), join(dir, 'tx.sock')])
  })

  it('SEQPACKET keeps message boundaries; EOF is an empty Buffer', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_SEQPACKET))
    b.settimeout(5)
    a.sendSync('one')
    a.sendSync('three')
    a.sendSync('')
    a.sendSync('five!')
    expect(b.recvSync(100).toString()).toBe('one')
    expect(b.recvSync(2).toString()).toBe('th') // the rest of "three" is discarded
    expect(b.recvSync(100).length).toBe(0) // an empty message, not EOF
    expect(b.recvSync(100).toString()).toBe('five!')
    a.close()
    expect(b.recvSync(100).length).toBe(0)
  })

  it('DGRAM socketpairs keep boundaries too', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_DGRAM))
    a.sendSync('x'.repeat(300))
    a.sendSync('y')
    expect(b.recvSync(1000).length).toBe(300)
    expect(b.recvSync(1000).toString()).toBe('y')
  })
})
