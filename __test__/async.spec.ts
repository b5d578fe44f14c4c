import { getEventListeners } from 'node:events'
import { closeSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_UNIX,
  AbortError,
  CMSG_SPACE,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  Socket,
  SocketError,
  TimeoutError,
  createConnection,
  createServer,
  getaddrinfo,
  gethostbyaddr,
  gethostbyname,
  gethostbynameEx,
  getfqdn,
  getnameinfo,
  recvFds,
  sendFds,
  socket,
  socketpair,
  type InetAddress,
} from '../src/ts/index'
import { tempDir, useSockets } from './helpers'

const { track, cleanups } = useSockets()

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; syscall?: string }> {
  try {
    await p
  } catch (e) {
    return e as Error & { code?: string }
  }
  throw new Error('expected a rejection')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

describe('Promise forms', () => {
  it('accept/connect/recv/send over TCP without blocking the loop', async () => {
    const srv = track(createServer(['127.0.0.1', 0]))
    const port = (srv.getsockname() as InetAddress)[1]
    const accepting = srv.accept()
    let ticks = 0
    const ticker = setInterval(() => ticks++, 1)
    const c = track(socket())
    await c.connect(['127.0.0.1', port])
    const [conn, addr] = await accepting
    track(conn)
    expect(addr).toEqual(c.getsockname())
    const reading = conn.recv(100)
    await sleep(20)
    expect(await c.send('hello')).toBe(5)
    expect((await reading).toString()).toBe('hello')
    clearInterval(ticker)
    expect(ticks).toBeGreaterThan(3) // the loop kept running while recv waited
  })

  it('sendall of 8 MiB against a slow reader, recvInto, shutdown/EOF', async () => {
    const [a, b] = track(socketpair())
    const data = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < data.length; i += 4096) data[i] = (i / 4096) & 0xff
    const sending = a.sendall(data).then(() => a.shutdown(1))
    const got: Buffer[] = []
    const chunk = Buffer.alloc(65536)
    for (;;) {
      const n = await b.recvInto(chunk)
      if (n === 0) break
      got.push(Buffer.from(chunk.subarray(0, n)))
    }
    await sending
    expect(Buffer.concat(got).equals(data)).toBe(true)
  })

  it('UDP: sendto both overloads, recvfrom, recvfromInto; zero-length datagrams', async () => {
    const a = track(socket(AF_INET, SOCK_DGRAM))
    const b = track(socket(AF_INET, SOCK_DGRAM))
    a.bind(['127.0.0.1', 0])
    b.bind(['127.0.0.1', 0])
    const to = b.getsockname() as InetAddress
    const first = b.recvfrom(100)
    await a.sendto('one', to)
    await a.sendto('', 0, to)
    expect(await first).toEqual([Buffer.from('one'), a.getsockname()])
    const [empty, from] = await b.recvfrom(100)
    expect([empty.length, from]).toEqual([0, a.getsockname()])
    await a.sendto('into', to)
    const buf = Buffer.alloc(10)
    expect(await b.recvfromInto(buf)).toEqual([4, a.getsockname()])
  })

  it('sendmsg/recvmsg/recvmsgInto and fd passing', async () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_DGRAM))
    const [x, y] = track(socketpair())
    const receiving = b.recvmsg(16, CMSG_SPACE(4))
    await a.sendmsg(['fd', '!'], [[SOL_SOCKET, SCM_RIGHTS, Buffer.from(new Int32Array([x.fileno()]).buffer)]])
    const [data, anc] = await receiving
    expect(data.toString()).toBe('fd!')
    const passed = track(Socket.fromFd(anc[0]![2].readInt32LE(0)))
    expect(passed.getInheritable()).toBe(false)
    await passed.send('via passed fd')
    expect((await y.recv(64)).toString()).toBe('via passed fd')
    await sendFds(a, ['more'], [x.fileno()])
    const [d2, fds] = await recvFds(b, 16, 1)
    expect([d2.toString(), fds.length]).toEqual(['more', 1])
    track(Socket.fromFd(fds[0]!))
    await a.send('scatter')
    const p1 = Buffer.alloc(3)
    const p2 = Buffer.alloc(10)
    const [n] = await b.recvmsgInto([p1, p2])
    expect([n, p1.toString(), p2.subarray(0, 4).toString()]).toEqual([7, 'sca', 'tter'])
  })

  it('sendfile', async () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const path = join(dir, 'f')
    const content = Buffer.alloc(300_000, 7)
    content.write('head', 0)
    writeFileSync(path, content)
    const [a, b] = track(socketpair())
    const fd = openSync(path, 'r')
    try {
      const sending = a.sendfile(fd, 0)
      const parts: Buffer[] = []
      let total = 0
      while (total < content.length) {
        const d = await b.recv(65536)
        parts.push(d)
        total += d.length
      }
      expect(await sending).toBe(300_000)
      expect(Buffer.concat(parts).equals(content)).toBe(true)
      expect(await a.sendfile(fd, 2, 2)).toBe(2)
      expect((await b.recv(10)).toString()).toBe('ad')
    } finally {
      closeSync(fd)
    }
  })

  it('connect errors reject with SocketError; connectEx resolves the errno', async () => {
    const probe = socket()
    probe.bind(['127.0.0.1', 0])
    const port = (probe.getsockname() as InetAddress)[1]
    probe.close()
    const e = await rejection(track(socket()).connect(['127.0.0.1', port]))
    expect(e).toBeInstanceOf(SocketError)
    expect(e).toMatchObject({ code: 'ECONNREFUSED', errno: 111, syscall: 'connect', address: '127.0.0.1', port })
    expect(await track(socket()).connectEx(['127.0.0.1', port])).toBe(111)
    const closed = socket()
    closed.close()
    expect(await closed.connectEx(['127.0.0.1', port])).toBe(9)
  })

  it('createConnection and the lookups', async () => {
    const srv = track(createServer(['127.0.0.1', 0]))
    const port = (srv.getsockname() as InetAddress)[1]
    const c = track(await createConnection(['localhost', port], 5))
    expect(c.gettimeout()).toBe(5)
    expect(await getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM)).toEqual([[AF_INET, SOCK_STREAM, 6, '', ['127.0.0.1', 80]]])
    expect(await getnameinfo(['127.0.0.1', 80])).toEqual(['localhost', 'http'])
    expect(await gethostbyname('localhost')).toBe('127.0.0.1')
    expect(await gethostbynameEx('localhost')).toEqual(['localhost', [], ['127.0.0.1']])
    expect((await gethostbyaddr('127.0.0.1'))[0]).toBe('localhost')
    expect(await getfqdn('nonexistent.invalid')).toBe('nonexistent.invalid')
    const ge = await rejection(getaddrinfo('nonexistent.invalid', 80))
    expect([ge.name, ge.code]).toEqual(['GaiError', 'EAI_NONAME'])
  })

  it('bad arguments reject (never throw), before any syscall', async () => {
    const s = track(socket())
    const calls: [() => Promise<unknown>, string][] = [
      [() => s.recv(-1), 'ERR_OUT_OF_RANGE'],
      [() => s.send(42 as never), 'ERR_INVALID_ARG_TYPE'],
      [() => s.connect(['127.0.0.1', 70000]), 'ERR_SOCKET_BAD_PORT'],
      [() => s.recv(1, 0, { timeout: -1 }), 'ERR_OUT_OF_RANGE'],
      [() => s.recv(1, 0, { signal: {} as never }), 'ERR_INVALID_ARG_TYPE'],
      [() => getaddrinfo('a\0b', 80), 'ERR_INVALID_ARG_VALUE'],
      [() => createConnection('x' as never), 'ERR_INVALID_ARG_TYPE'],
    ]
    for (const [call, code] of calls) {
      let p: Promise<unknown> | undefined
      expect(() => (p = call())).not.toThrow()
      expect((await rejection(p!)).code).toBe(code)
    }
  })
})

describe('timeouts and abort', () => {
  it('the socket timeout is a deadline per async call; {timeout} per call too', async () => {
    const [a] = track(socketpair())
    a.settimeout(0.1)
    const t0 = performance.now()
    const e = await rejection(a.recv(1))
    expect(e).toBeInstanceOf(TimeoutError)
    expect([e.name, e.code, e.message, e.syscall]).toEqual(['TimeoutError', 'ETIMEDOUT', 'timed out', 'recv'])
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95)
    a.settimeout(null)
    const e2 = await rejection(a.recv(1, 0, { timeout: 0.05 }))
    expect(e2).toBeInstanceOf(TimeoutError)
    // Non-blocking mode: async calls still wait (for readiness).
    const [c, d] = track(socketpair())
    c.setblocking(false)
    const r = c.recv(10)
    await sleep(10)
    d.sendSync('late')
    expect((await r).toString()).toBe('late')
  })

  it('abort and timeout consume no data; a later call still gets it', async () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_SEQPACKET))
    const ac = new AbortController()
    const r = a.recv(100, 0, { signal: ac.signal })
    setTimeout(() => ac.abort(new Error('stop')), 10)
    const e = await rejection(r)
    expect(e).toBeInstanceOf(AbortError)
    expect([e.name, e.code, (e.cause as Error).message]).toEqual(['AbortError', 'ABORT_ERR', 'stop'])
    expect((await rejection(a.recv(100, 0, { timeout: 0.02 }))).name).toBe('TimeoutError')
    b.sendSync('kept')
    expect((await a.recv(100)).toString()).toBe('kept')
  })

  it('a pre-aborted signal rejects without a syscall (the data stays queued)', async () => {
    const [a, b] = track(socketpair())
    b.sendSync('untouched')
    const e = await rejection(a.recv(100, 0, { signal: AbortSignal.abort() }))
    expect(e.name).toBe('AbortError')
    expect((await a.recv(100)).toString()).toBe('untouched')
  })

  it('no abort listener or timer is left behind', async () => {
    const [a, b] = track(socketpair())
    const ac = new AbortController()
    const before = activeTimeouts()
    const pending = a.recv(10, 0, { signal: ac.signal, timeout: 5 })
    await sleep(5)
    expect(getEventListeners(ac.signal, 'abort').length).toBe(1)
    b.sendSync('x')
    await pending
    expect(getEventListeners(ac.signal, 'abort').length).toBe(0)
    expect(activeTimeouts()).toBe(before)
    await rejection(a.recv(10, 0, { signal: ac.signal, timeout: 0.01 }))
    expect(getEventListeners(ac.signal, 'abort').length).toBe(0)
    expect(activeTimeouts()).toBe(before)
  })
})

describe('close with calls in flight', () => {
  it('pending calls reject with EBADF; a new socket on the same fd number sees none of them', async () => {
    const [a, peer] = track(socketpair())
    const fd = a.fileno()
    const r1 = a.recv(10)
    const r2 = a.recv(10)
    const w = a.accept()
    a.close()
    for (const p of [r1, r2, w]) {
      const e = await rejection(p)
      expect(e).toBeInstanceOf(SocketError)
      expect(e.code).toBe('EBADF')
    }
    void peer
    // The number is free again; the next socket very likely gets it.
    const [c, d] = track(socketpair())
    expect([c.fileno(), d.fileno()]).toContain(fd)
    const reused = c.fileno() === fd ? c : d
    const other = reused === c ? d : c
    const got = reused.recv(10)
    other.sendSync('fresh')
    expect((await got).toString()).toBe('fresh')
  })

  it('calls on a closed socket reject with EBADF', async () => {
    const s = socket(AF_INET, SOCK_DGRAM)
    s.close()
    for (const p of [s.recv(1), s.send('x'), s.sendto('x', ['127.0.0.1', 9]), s.accept(), s.connect(['127.0.0.1', 9])]) {
      expect((await rejection(p)).code).toBe('EBADF')
    }
  })
})

describe('ordering and fairness', () => {
  it('concurrent receives complete in call order; a new call never jumps the queue', async () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_SEQPACKET))
    const order: string[] = []
    const p1 = a.recv(10).then((d) => order.push(`1:${d}`))
    const p2 = a.recv(10).then((d) => order.push(`2:${d}`))
    await sleep(5)
    b.sendSync('x')
    b.sendSync('y')
    const p3 = a.recv(10).then((d) => order.push(`3:${d}`))
    b.sendSync('z')
    await Promise.all([p1, p2, p3])
    expect(order).toEqual(['1:x', '2:y', '3:z'])
  })

  it('a socket with data always ready does not starve timers', async () => {
    const [a, b] = track(socketpair())
    b.sendSync(Buffer.alloc(100_000))
    let timerRan = false
    setTimeout(() => (timerRan = true), 0)
    let reads = 0
    let sawTimerAt = -1
    for (let i = 0; i < 20_000; i++) {
      await a.recv(1)
      reads++
      if (timerRan && sawTimerAt < 0) sawTimerAt = reads
    }
    expect(timerRan).toBe(true)
    expect(sawTimerAt).toBeGreaterThan(0)
    expect(sawTimerAt).toBeLessThan(2000)
  })

  it('sends to a closed peer reject with EPIPE (never SIGPIPE)', async () => {
    const [a, b] = track(socketpair())
    b.close()
    expect((await rejection(a.send('x'))).code).toBe('EPIPE')
  })
})

describe('async iteration', () => {
  it('connections() yields accepted sockets and ends on close', async () => {
    const srv = track(createServer(['127.0.0.1', 0]))
    const port = (srv.getsockname() as InetAddress)[1]
    const seen: unknown[] = []
    const loop = (async () => {
      for await (const [conn, addr] of srv.connections()) {
        seen.push(addr)
        conn.close()
        if (seen.length === 3) setTimeout(() => srv.close(), 10)
      }
    })()
    for (let i = 0; i < 3; i++) await track(socket()).connect(['127.0.0.1', port])
    await loop
    expect(seen.length).toBe(3)
  })

  it('messages() yields datagrams, zero-length ones included', async () => {
    const rx = track(socket(AF_INET, SOCK_DGRAM))
    rx.bind(['127.0.0.1', 0])
    const tx = track(socket(AF_INET, SOCK_DGRAM))
    tx.bind(['127.0.0.1', 0])
    const to = rx.getsockname() as InetAddress
    const got: string[] = []
    const loop = (async () => {
      for await (const [data, addr] of rx.messages()) {
        expect(addr).toEqual(tx.getsockname())
        got.push(data.toString())
        if (got.length === 3) break
      }
    })()
    await tx.sendto('a', to)
    await tx.sendto('', to)
    await tx.sendto('c', to)
    await loop
    expect(got).toEqual(['a', '', 'c'])
  })
})
