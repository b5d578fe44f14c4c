import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_UNIX,
  fromfd,
  SOCK_DGRAM,
  SOCK_STREAM,
  Socket,
  SocketError,
  TimeoutError,
  createServer,
  setdefaulttimeout,
  socket,
  socketpair,
  type InetAddress,
} from '../src/ts/index'
import { pythonPeer, useSockets } from './helpers'

const { track } = useSockets()
afterEach(() => setdefaulttimeout(null))

function timed<T>(fn: () => T): { error: unknown; ms: number } {
  const t0 = performance.now()
  try {
    fn()
    return { error: undefined, ms: performance.now() - t0 }
  } catch (e) {
    return { error: e, ms: performance.now() - t0 }
  }
}

function expectTimeout(error: unknown, syscall: string): void {
  expect(error).toBeInstanceOf(TimeoutError)
  expect(error).toBeInstanceOf(SocketError)
  const e = error as TimeoutError
  expect([e.name, e.code, e.message, e.syscall]).toEqual(['TimeoutError', 'ETIMEDOUT', 'timed out', syscall])
}

describe('timeout mode', () => {
  it('recv waits the timeout, then TimeoutError', () => {
    const [a] = track(socketpair())
    a.settimeout(0.15)
    const { error, ms } = timed(() => a.recvSync(1))
    expectTimeout(error, 'recv')
    expect(ms).toBeGreaterThanOrEqual(140)
    expect(ms).toBeLessThan(2000)
  })

  it('each call gets the whole timeout; data that arrives in time is returned', () => {
    const [a, b] = track(socketpair())
    a.settimeout(0.1)
    expectTimeout(timed(() => a.recvSync(1)).error, 'recv')
    b.sendSync('now')
    expect(a.recvSync(10).toString()).toBe('now')
  })

  it('accept and recvfrom time out too', () => {
    const srv = track(createServer(['127.0.0.1', 0]))
    srv.settimeout(0.05)
    expectTimeout(timed(() => srv.acceptSync()).error, 'accept')
    const u = track(socket(AF_INET, SOCK_DGRAM))
    u.bind(['127.0.0.1', 0])
    u.settimeout(0.05)
    expectTimeout(timed(() => u.recvfromSync(10)).error, 'recvfrom')
    expectTimeout(timed(() => u.recvmsgSync(10)).error, 'recvmsg')
  })

  it('connect times out against a full backlog; connectEx returns EAGAIN (11)', () => {
    const srv = track(socket())
    srv.bind(['127.0.0.1', 0])
    srv.listen(0)
    const addr = srv.getsockname() as InetAddress
    // Fill the backlog (the kernel allows backlog+1 pending connections).
    const fillers: Socket[] = []
    let timedOut: unknown
    for (let i = 0; i < 8 && !timedOut; i++) {
      const c = track(socket())
      c.settimeout(0.2)
      const r = timed(() => c.connectSync(addr))
      if (r.error) timedOut = r.error
      else fillers.push(c)
    }
    expectTimeout(timedOut, 'connect')
    const d = track(socket())
    d.settimeout(0.1)
    expect(d.connectExSync(addr)).toBe(11)
  })

  it('sendall: the timeout is a deadline for the whole call', () => {
    const [a] = track(socketpair(1, SOCK_STREAM))
    a.settimeout(0.3)
    const { error, ms } = timed(() => a.sendallSync(Buffer.alloc(64 * 1024 * 1024)))
    expectTimeout(error, 'send')
    expect(ms).toBeGreaterThanOrEqual(290)
    expect(ms).toBeLessThan(3000)
  })

  it('non-blocking mode: EAGAIN at once', () => {
    const [a] = track(socketpair())
    a.setblocking(false)
    const { error, ms } = timed(() => a.recvSync(1))
    expect(error).toBeInstanceOf(SocketError)
    expect(error).not.toBeInstanceOf(TimeoutError)
    expect([(error as SocketError).code, (error as SocketError).errno]).toEqual(['EAGAIN', 11])
    expect(ms).toBeLessThan(100)
  })

  it('the default timeout applies to new and accepted sockets', () => {
    setdefaulttimeout(0.05)
    const srv = track(createServer(['127.0.0.1', 0]))
    expect(srv.gettimeout()).toBe(0.05)
    const c = track(socket())
    c.connectSync(srv.getsockname() as InetAddress)
    const [conn] = srv.acceptSync()
    track(conn)
    expect(conn.gettimeout()).toBe(0.05)
    expectTimeout(timed(() => conn.recvSync(1)).error, 'recv')
  })
})

describe('fds that share one open file (dup, fromfd)', () => {
  it('fromfd leaves O_NONBLOCK alone, so the original keeps its timeout', () => {
    const [x] = track(socketpair())
    x.settimeout(0.15)
    const y = track(fromfd(x.fileno(), AF_UNIX, SOCK_STREAM))
    expect(y.gettimeout()).toBeNull()
    const { error, ms } = timed(() => x.recvSync(1))
    expectTimeout(error, 'recv')
    expect(ms).toBeLessThan(2000)
  })

  it('a dup switched to blocking mode does not make the original block', () => {
    const [x, peer] = track(socketpair())
    x.settimeout(0.15)
    const d = track(x.dup())
    d.settimeout(null) // clears O_NONBLOCK on the shared open file
    expectTimeout(timed(() => x.recvSync(1)).error, 'recv')
    x.setblocking(false)
    d.settimeout(null)
    const e = timed(() => x.recvSync(1)).error as SocketError
    expect(e.code).toBe('EAGAIN')
    // And the blocking dup still blocks until data comes (here it already has some).
    peer.sendSync('z')
    expect(d.recvSync(1).toString()).toBe('z')
  })

  it('a blocking-mode socket on a non-blocking fd still waits (no spurious EAGAIN)', async () => {
    const srv = track(createServer(['127.0.0.1', 0]))
    const port = (srv.getsockname() as InetAddress)[1]
    const peer = await pythonPeer(
      `import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
print('connected', flush=True)
time.sleep(0.3)
s.sendall(b'worth the wait')
s.close()`,
      [String(port)],
    )
    const [conn] = srv.acceptSync()
    track(conn)
    const d = track(conn.dup())
    d.setblocking(false) // sets O_NONBLOCK on the shared open file
    expect(conn.gettimeout()).toBeNull()
    const t0 = performance.now()
    expect(conn.recvSync(100).toString()).toBe('worth the wait')
    expect(performance.now() - t0).toBeGreaterThan(100)
    await peer.done
  })
})

describe('EINTR (PEP 475)', () => {
  it('signals during a timed wait neither fail the call nor extend or shorten the timeout', async () => {
    const onSignal = () => {}
    process.on('SIGUSR2', onSignal)
    const killer = spawn('sh', ['-c', `for i in 1 2 3 4 5 6 7 8; do sleep 0.05; kill -USR2 ${process.pid}; done`])
    const killed = new Promise((r) => killer.on('close', r))
    try {
      const [a] = track(socketpair())
      a.settimeout(0.6)
      const { error, ms } = timed(() => a.recvSync(1))
      expectTimeout(error, 'recv')
      expect(ms).toBeGreaterThanOrEqual(590)
      expect(ms).toBeLessThan(3000)
    } finally {
      await killed
      process.off('SIGUSR2', onSignal)
    }
  })

  it('a blocking recv interrupted by signals still returns the data that arrives later', async () => {
    const onSignal = () => {}
    process.on('SIGUSR2', onSignal)
    // Python connects and sends after the signals stop.
    const srv = track(createServer(['127.0.0.1', 0]))
    const port = (srv.getsockname() as InetAddress)[1]
    const peer = await pythonPeer(
      `import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
print('connected', flush=True)
time.sleep(0.5)
s.sendall(b'late data')
s.close()`,
      [String(port)],
    )
    const [conn] = srv.acceptSync()
    track(conn)
    expect(peer.line).toBe('connected')
    const killer = spawn('sh', ['-c', `for i in 1 2 3 4 5 6; do sleep 0.05; kill -USR2 ${process.pid}; done`])
    const killed = new Promise((r) => killer.on('close', r))
    try {
      expect(conn.gettimeout()).toBeNull()
      expect(conn.recvSync(100).toString()).toBe('late data')
    } finally {
      await killed
      await peer.done
      process.off('SIGUSR2', onSignal)
    }
  })
})
