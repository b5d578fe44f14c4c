import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { open as openHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  MSG_DONTWAIT,
  MSG_PEEK,
  MSG_WAITALL,
  SHUT_RD,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  SocketError,
  createConnectionSync,
  createServer,
  hasDualstackIpv6,
  setdefaulttimeout,
  socket,
  socketpair,
  type InetAddress,
} from '../src/ts/index'
import { caught, tempDir, useSockets } from './helpers'

const { track, cleanups } = useSockets()
afterEach(() => setdefaulttimeout(null))

/** A connected TCP pair on loopback, built in one thread: connect completes via the backlog. */
function tcpPair(family = AF_INET): { server: Socket; client: Socket; conn: Socket; port: number } {
  const host = family === AF_INET ? '127.0.0.1' : '::1'
  const server = track(createServer([host, 0], { family }))
  const port = (server.getsockname() as InetAddress)[1]
  const client = track(socket(family, SOCK_STREAM))
  client.settimeout(5)
  client.connectSync([host, port])
  const [conn] = server.acceptSync()
  track(conn)
  conn.settimeout(5)
  return { server, client, conn, port }
}

describe('TCP', () => {
  it('connect, accept, addresses on both ends', () => {
    const server = track(createServer(['127.0.0.1', 0]))
    const port = (server.getsockname() as InetAddress)[1]
    const client = track(socket())
    client.connectSync(['127.0.0.1', port])
    const [conn, addr] = server.acceptSync()
    track(conn)
    expect(addr).toEqual(client.getsockname())
    expect(conn.getpeername()).toEqual(client.getsockname())
    expect(client.getpeername()).toEqual(['127.0.0.1', port])
    expect([conn.family, conn.type, conn.proto]).toEqual([server.family, server.type, server.proto])
  })

  it('send/recv both ways; recv returns at most bufsize; strings go as UTF-8', () => {
    const { client, conn } = tcpPair()
    expect(client.sendSync('héllo')).toBe(6)
    expect(conn.recvSync(1024)).toEqual(Buffer.from('héllo'))
    conn.sendallSync(new Uint16Array([0x4241, 0x4443]))
    expect(client.recvSync(2).toString()).toBe('AB')
    expect(client.recvSync(10).toString()).toBe('CD')
    // recv(0) is an empty Buffer without consuming anything.
    conn.sendallSync('x')
    expect(client.recvSync(0).length).toBe(0)
    expect(client.recvSync(1).toString()).toBe('x')
  })

  it('recvInto fills the caller’s buffer with no copy; nbytes bounds it', () => {
    const { client, conn } = tcpPair()
    client.sendallSync('0123456789')
    const buf = Buffer.alloc(8, 0x2e)
    expect(conn.recvIntoSync(buf, 4)).toBe(4)
    expect(buf.toString()).toBe('0123....')
    const view = new DataView(new ArrayBuffer(16))
    expect(conn.recvIntoSync(view)).toBe(6)
    expect(Buffer.from(view.buffer, 0, 6).toString()).toBe('456789')
    expect(() => conn.recvIntoSync(Buffer.alloc(4), 5)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(() => conn.recvIntoSync('x' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
  })

  it('MSG_PEEK, MSG_WAITALL and MSG_DONTWAIT behave as in C', () => {
    const { client, conn } = tcpPair()
    client.sendallSync('peekaboo')
    expect(conn.recvSync(4, MSG_PEEK).toString()).toBe('peek')
    expect(conn.recvSync(8, MSG_WAITALL).toString()).toBe('peekaboo')
    // MSG_DONTWAIT on a blocking socket: EAGAIN instead of blocking.
    conn.settimeout(null)
    expect(caught(() => conn.recvSync(1, MSG_DONTWAIT)).code).toBe('EAGAIN')
  })

  it('an empty Buffer is EOF after the peer shuts down, every time', () => {
    const { client, conn } = tcpPair()
    client.sendallSync('last words')
    client.shutdown(SHUT_WR)
    expect(conn.recvSync(100).toString()).toBe('last words')
    expect(conn.recvSync(100).length).toBe(0)
    expect(conn.recvSync(100).length).toBe(0)
    // A local SHUT_RD makes recv return EOF too.
    conn.sendallSync('still open the other way')
    expect(client.recvSync(100).toString()).toBe('still open the other way')
    client.shutdown(SHUT_RD)
    expect(client.recvSync(10).length).toBe(0)
    expect(caught(() => conn.shutdown(99)).code).toBe('EINVAL')
  })

  it('writing to a closed peer gives EPIPE/ECONNRESET, never SIGPIPE', () => {
    const { client, conn } = tcpPair()
    conn.close()
    let err: SocketError | undefined
    for (let i = 0; i < 50 && !err; i++) {
      try {
        client.sendSync(Buffer.alloc(1024))
      } catch (e) {
        err = e as SocketError
      }
    }
    expect(err).toBeInstanceOf(SocketError)
    expect(['EPIPE', 'ECONNRESET']).toContain(err!.code)
    // After SHUT_WR our own sends are EPIPE.
    const p = tcpPair()
    p.client.shutdown(SHUT_WR)
    const e = caught(() => p.client.sendSync('x'))
    expect([e.code, e.errno, e.syscall]).toEqual(['EPIPE', 32, 'send'])
  })

  it('connect errors carry code, errno, syscall, address and port', () => {
    const probe = track(socket())
    probe.bind(['127.0.0.1', 0])
    const port = (probe.getsockname() as InetAddress)[1]
    probe.close()
    const s = track(socket())
    const e = caught(() => s.connectSync(['127.0.0.1', port]))
    expect(e).toMatchObject({ name: 'SocketError', code: 'ECONNREFUSED', errno: 111, syscall: 'connect', address: '127.0.0.1', port })
    expect(e.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`)
    expect(track(socket()).connectExSync(['127.0.0.1', port])).toBe(111)
  })

  it('connectEx returns errnos: EISCONN, EINPROGRESS when non-blocking', () => {
    const { client, port } = tcpPair()
    // After a non-blocking connect completed, Linux answers the next connect() with 0 once
    // (it reports the completion); from then on EISCONN.
    expect([0, 106]).toContain(client.connectExSync(['127.0.0.1', port]))
    expect(client.connectExSync(['127.0.0.1', port])).toBe(106)
    expect(caught(() => client.connectSync(['127.0.0.1', port])).code).toBe('EISCONN')
    const server = track(createServer(['127.0.0.1', 0]))
    const p2 = (server.getsockname() as InetAddress)[1]
    const nb = track(socket())
    nb.setblocking(false)
    const r = nb.connectExSync(['127.0.0.1', p2])
    expect([0, 115]).toContain(r)
    const nb2 = track(socket())
    nb2.setblocking(false)
    try {
      nb2.connectSync(['127.0.0.1', p2])
    } catch (e) {
      expect((e as SocketError).code).toBe('EINPROGRESS')
    }
  })

  it('accept: non-blocking says EAGAIN; accepted sockets take the default timeout, not the listener’s', () => {
    const server = track(createServer(['127.0.0.1', 0]))
    server.setblocking(false)
    expect(caught(() => server.acceptSync()).code).toBe('EAGAIN')
    const port = (server.getsockname() as InetAddress)[1]
    track(socket()).connectSync(['127.0.0.1', port])
    server.settimeout(3)
    const [c1] = server.acceptSync()
    track(c1)
    expect(c1.gettimeout()).toBeNull()
    setdefaulttimeout(7)
    track(socket()).connectSync(['127.0.0.1', port])
    const [c2] = server.acceptSync()
    track(c2)
    expect(c2.gettimeout()).toBe(7)
    expect(c2.getInheritable()).toBe(false)
  })

  it('accept on a socket that does not listen is EINVAL; on UDP EOPNOTSUPP', () => {
    expect(caught(() => track(socket()).acceptSync()).code).toBe('EINVAL')
    expect(caught(() => track(socket(AF_INET, SOCK_DGRAM)).acceptSync()).code).toBe('ENOTSUP')
    expect(caught(() => track(socket(AF_INET, SOCK_DGRAM)).listen()).code).toBe('ENOTSUP')
  })

  it('recv on an unconnected TCP socket is ENOTCONN; send is EPIPE; getpeername ENOTCONN', () => {
    const s = track(socket())
    expect(caught(() => s.recvSync(1)).code).toBe('ENOTCONN')
    expect(caught(() => s.sendSync('x')).code).toBe('EPIPE')
    expect(caught(() => s.getpeername()).code).toBe('ENOTCONN')
    expect(s.getsockname()).toEqual(['0.0.0.0', 0])
  })

  it('bind errors: in use, not available, already bound', () => {
    const a = track(socket())
    a.bind(['127.0.0.1', 0])
    const port = (a.getsockname() as InetAddress)[1]
    a.listen()
    const e = caught(() => track(socket()).bind(['127.0.0.1', port]))
    expect(e).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', address: '127.0.0.1', port })
    expect(caught(() => track(socket()).bind(['192.0.2.1', 0])).code).toBe('EADDRNOTAVAIL')
    expect(caught(() => a.bind(['127.0.0.1', 0])).code).toBe('EINVAL')
  })

  it('IPv6: 4-tuples, flowinfo/scope returned, dual stack', () => {
    const { client, conn, port } = tcpPair(AF_INET6)
    expect(client.getpeername()).toEqual(['::1', port, 0, 0])
    expect(conn.getpeername()).toEqual(client.getsockname())
    expect((conn.getpeername() as unknown[]).length).toBe(4)
    client.sendallSync('six')
    expect(conn.recvSync(3).toString()).toBe('six')
    expect(hasDualstackIpv6()).toBe(true)
    const dual = track(createServer(['::', 0], { family: AF_INET6, dualstackIpv6: true }))
    const dport = (dual.getsockname() as InetAddress)[1]
    const v4 = track(socket())
    v4.connectSync(['127.0.0.1', dport])
    const [c, addr] = dual.acceptSync()
    track(c)
    expect(addr).toEqual(['::ffff:127.0.0.1', (v4.getsockname() as InetAddress)[1], 0, 0])
    expect(() => createServer(['127.0.0.1', 0], { dualstackIpv6: true })).toThrow(TypeError)
  })

  it('createConnectionSync: timeout, source address, errors', () => {
    const server = track(createServer(['127.0.0.1', 0]))
    const port = (server.getsockname() as InetAddress)[1]
    setdefaulttimeout(9)
    const a = track(createConnectionSync(['127.0.0.1', port]))
    expect(a.gettimeout()).toBe(9)
    const b = track(createConnectionSync(['localhost', port], null))
    expect(b.gettimeout()).toBeNull()
    const c = track(createConnectionSync(['127.0.0.1', port], 2, ['127.0.0.1', 0]))
    expect(c.gettimeout()).toBe(2)
    expect((c.getsockname() as InetAddress)[0]).toBe('127.0.0.1')
    server.close()
    expect(caught(() => createConnectionSync(['127.0.0.1', port])).code).toBe('ECONNREFUSED')
    try {
      createConnectionSync(['127.0.0.1', port], undefined, undefined, { allErrors: true })
      throw new Error('connected?')
    } catch (e) {
      expect(e).toBeInstanceOf(AggregateError)
      expect((e as AggregateError).errors.map((x: SocketError) => x.code)).toEqual(['ECONNREFUSED'])
    }
    expect(caught(() => createConnectionSync(['nonexistent.invalid', 80])).name).toBe('GaiError')
  })

  it('createServer: SO_REUSEADDR, reusePort, bind error message', () => {
    const s = track(createServer(['127.0.0.1', 0], { reusePort: true, backlog: 5 }))
    expect(s.getsockopt(1, 2)).toBe(1) // SOL_SOCKET, SO_REUSEADDR
    const port = (s.getsockname() as InetAddress)[1]
    const e = caught(() => createServer(['127.0.0.1', port]))
    expect(e.code).toBe('EADDRINUSE')
    expect(e.message).toContain('while attempting to bind on address')
  })
})

describe('sendfile', () => {
  it('sends a file region, honours offset/count and leaves the position after it', async () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const path = join(dir, 'data.bin')
    const data = Buffer.alloc(20_000)
    for (let i = 0; i < data.length; i++) data[i] = i % 251
    writeFileSync(path, data)
    const { client, conn } = tcpPair()
    const fd = openSync(path, 'r')
    try {
      expect(client.sendfileSync(fd)).toBe(20_000)
      const got = conn.recvSync(20_000, MSG_WAITALL)
      expect(got.equals(data)).toBe(true)
      expect(client.sendfileSync(fd, 100, 50)).toBe(50)
      expect(conn.recvSync(50, MSG_WAITALL).equals(data.subarray(100, 150))).toBe(true)
      // Past EOF: nothing to send.
      expect(client.sendfileSync(fd, 30_000)).toBe(0)
    } finally {
      closeSync(fd)
    }
    const fh = await openHandle(path, 'r')
    try {
      expect(client.sendfileSync(fh, 19_990)).toBe(10)
      expect(conn.recvSync(10, MSG_WAITALL).equals(data.subarray(19_990))).toBe(true)
    } finally {
      await fh.close()
    }
    expect(readFileSync(path).length).toBe(20_000)
  })

  it('refuses what Python refuses', () => {
    const u = track(socket(AF_INET, SOCK_DGRAM))
    expect(() => u.sendfileSync(0)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }))
    const { client } = tcpPair()
    client.setblocking(false)
    expect(() => client.sendfileSync(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }))
    client.setblocking(true)
    expect(() => client.sendfileSync(0, 0, 0)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
    expect(() => client.sendfileSync(0, -1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }))
  })
})

describe('AF_UNIX stream', () => {
  it('paths: bind/listen/connect, unnamed client address is empty', () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const path = join(dir, 'srv.sock')
    const server = track(socket(AF_UNIX, SOCK_STREAM))
    server.bind(path)
    server.listen()
    expect(server.getsockname()).toBe(path)
    const client = track(socket(AF_UNIX, SOCK_STREAM))
    client.connectSync(path)
    const [conn, addr] = server.acceptSync()
    track(conn)
    expect(addr).toBe('')
    expect(client.getpeername()).toBe(path)
    expect(client.getsockname()).toBe('')
    client.sendallSync('over unix')
    expect(conn.recvSync(64).toString()).toBe('over unix')
    // Python leaves the socket file behind on close; so do we.
    server.close()
    expect(() => readFileSync(path)).toThrow(expect.objectContaining({ code: 'ENXIO' }))
  })

  it('socketpair peers have empty names; AF_INET pairs are EOPNOTSUPP on Linux', () => {
    const [a, b] = track(socketpair())
    expect(a.getpeername()).toBe('')
    expect(b.getsockname()).toBe('')
    expect(caught(() => socketpair(AF_INET)).code).toBe('ENOTSUP')
  })
})
