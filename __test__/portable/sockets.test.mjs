// The behaviour every platform shares, through the public API, with Node's own test
// runner (no dependencies, no build step): `npm test` runs it on Linux, the workflow on
// Windows and macOS, and `npm run build:cross -- --wine` runs it here under Wine
// against a Windows build of the addon and Windows' Node.js.
//
// Platform-specific expectations are branched on `process.platform`, and a case that
// the host cannot run says why in the output (`t.skip(reason)`).

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import * as bsd from '../../dist/index.mjs'

const windows = process.platform === 'win32'

/** Sockets made by a test, closed when it ends whatever happened. */
function track(t) {
  const open = []
  t.after(() => {
    for (const s of open) s.close()
  })
  return (...sockets) => {
    open.push(...sockets)
    return sockets.length === 1 ? sockets[0] : sockets
  }
}

function listener(own) {
  const srv = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
  srv.bind(['127.0.0.1', 0])
  srv.listen()
  return srv
}

function connectedPair(own) {
  const srv = listener(own)
  const cli = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
  cli.connectSync(srv.getsockname())
  const [conn, peer] = srv.acceptSync()
  own(conn)
  assert.deepEqual(peer, cli.getsockname())
  return [cli, conn]
}

function recvExactly(sock, n) {
  const parts = []
  let got = 0
  for (let i = 0; i < 1000 && got < n; i++) {
    const b = sock.recvSync(n - got)
    assert.ok(b.length > 0, 'unexpected EOF')
    parts.push(b)
    got += b.length
  }
  return Buffer.concat(parts)
}

describe('stream sockets', () => {
  it('TCP on loopback: connect, accept, sendall, recv, shutdown', (t) => {
    const own = track(t)
    const [cli, conn] = connectedPair(own)
    const payload = Buffer.alloc(256 * 1024, 0x5a)
    // Both directions at once would need threads; 256 KiB fits the loopback buffers of
    // both ends on every platform we run on once the reader drains.
    cli.sendallSync(payload.subarray(0, 64 * 1024))
    assert.equal(recvExactly(conn, 64 * 1024).compare(payload.subarray(0, 64 * 1024)), 0)
    assert.deepEqual(conn.getpeername(), cli.getsockname())
    assert.equal(cli.family, bsd.AF_INET)
    assert.equal(cli.type, bsd.SOCK_STREAM)
    cli.shutdown(bsd.SHUT_WR)
    assert.equal(conn.recvSync(16).length, 0)
  })

  it('socketpair() gives two connected sockets (a loopback TCP pair on Windows)', (t) => {
    const own = track(t)
    const [a, b] = own(...bsd.socketpair())
    assert.equal(a.family, windows ? bsd.AF_INET : bsd.AF_UNIX)
    a.sendallSync('ping')
    b.sendallSync('pong')
    assert.equal(b.recvSync(8).toString(), 'ping')
    assert.equal(a.recvSync(8).toString(), 'pong')
  })

  it('AF_UNIX stream on a path', async (t) => {
    const own = track(t)
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    let srv
    try {
      srv = own(bsd.socket(bsd.AF_UNIX, bsd.SOCK_STREAM))
    } catch (e) {
      t.skip(`no AF_UNIX sockets here (${e.code})`)
      return
    }
    const dir = mkdtempSync(join(tmpdir(), 'bsds-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 's.sock')
    srv.bind(path)
    srv.listen()
    const cli = own(bsd.socket(bsd.AF_UNIX, bsd.SOCK_STREAM))
    cli.connectSync(path)
    const [conn] = srv.acceptSync()
    own(conn)
    cli.sendallSync('local')
    assert.equal(conn.recvSync(8).toString(), 'local')
    assert.equal(srv.getsockname(), path)
  })
})

describe('IPv6', () => {
  it('UDP over ::1 with four-item addresses', (t) => {
    const own = track(t)
    let a
    try {
      a = own(bsd.socket(bsd.AF_INET6, bsd.SOCK_DGRAM))
      a.bind(['::1', 0])
    } catch (e) {
      return t.skip(`no IPv6 loopback here (${e.code})`)
    }
    const b = own(bsd.socket(bsd.AF_INET6, bsd.SOCK_DGRAM))
    b.bind(['::1', 0])
    const addr = a.getsockname()
    assert.equal(addr.length, 4)
    assert.equal(addr[0], '::1')
    b.sendtoSync('six', addr)
    const [data, from] = a.recvfromSync(16)
    assert.equal(data.toString(), 'six')
    assert.deepEqual(from, b.getsockname())
  })
})

describe('sendfile', () => {
  it('sends a file range, sync and async (read-and-send on Windows)', async (t) => {
    const own = track(t)
    const { mkdtempSync, openSync, closeSync, writeFileSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'bsds-'))
    const path = join(dir, 'data.bin')
    const content = Buffer.alloc(200 * 1024)
    for (let i = 0; i < content.length; i++) content[i] = (i * 7) & 0xff
    writeFileSync(path, content)
    const fd = openSync(path, 'r')
    t.after(() => {
      closeSync(fd)
      rmSync(dir, { recursive: true, force: true })
    })
    const [a, b] = connectedPair(own)
    assert.equal(a.sendfileSync(fd, 1000, 5000), 5000)
    assert.equal(recvExactly(b, 5000).compare(content.subarray(1000, 6000)), 0)
    const received = (async () => {
      const parts = []
      let got = 0
      for (let i = 0; i < 10000 && got < content.length - 150000; i++) {
        const c = await b.recv(65536)
        assert.ok(c.length > 0)
        parts.push(c)
        got += c.length
      }
      return Buffer.concat(parts)
    })()
    assert.equal(await a.sendfile(fd, 150000), content.length - 150000)
    assert.equal((await received).compare(content.subarray(150000)), 0)
  })
})

describe('createServer', () => {
  it('listens, with SO_REUSEADDR on POSIX only (on Windows it would let others take the port)', (t) => {
    const own = track(t)
    const srv = own(bsd.createServer(['127.0.0.1', 0]))
    assert.equal(srv.getsockopt(bsd.SOL_SOCKET, bsd.SO_REUSEADDR) !== 0, !windows)
    const cli = own(bsd.createConnectionSync(srv.getsockname()))
    const [conn] = srv.acceptSync()
    own(conn)
    cli.sendallSync('hello')
    assert.equal(recvExactly(conn, 5).toString(), 'hello')
  })
})

describe('datagrams', () => {
  it('UDP keeps boundaries and reports the sender, sync and async', async (t) => {
    const own = track(t)
    const a = own(bsd.socket(bsd.AF_INET, bsd.SOCK_DGRAM))
    const b = own(bsd.socket(bsd.AF_INET, bsd.SOCK_DGRAM))
    a.bind(['127.0.0.1', 0])
    b.bind(['127.0.0.1', 0])
    a.sendtoSync('one', b.getsockname())
    a.sendtoSync('two!', b.getsockname())
    const [d1, from] = b.recvfromSync(64)
    assert.equal(d1.toString(), 'one')
    assert.deepEqual(from, a.getsockname())
    assert.equal(b.recvfromSync(64)[0].toString(), 'two!')
    const pending = b.recvfrom(64)
    await a.sendto('three', b.getsockname())
    const [d3] = await pending
    assert.equal(d3.toString(), 'three')
  })
})

describe('timeouts and modes', () => {
  it('a socket timeout raises TimeoutError; non-blocking mode raises EAGAIN', (t) => {
    const own = track(t)
    const [a] = connectedPair(own)
    a.settimeout(0.05)
    assert.equal(a.gettimeout(), 0.05)
    const t0 = Date.now()
    assert.throws(() => a.recvSync(4), (e) => e.name === 'TimeoutError' && e.code === 'ETIMEDOUT')
    assert.ok(Date.now() - t0 >= 40, `timed out after ${Date.now() - t0} ms`)
    a.setblocking(false)
    assert.equal(a.getblocking(), false)
    assert.throws(
      () => a.recvSync(4),
      (e) => e instanceof bsd.SocketError && e.code === 'EAGAIN' && e.errno === bsd.EAGAIN,
    )
    a.setblocking(true)
    assert.equal(a.gettimeout(), null)
  })

  it('connecting to a closed port is ECONNREFUSED: blocking, with a timeout, and async', async (t) => {
    const own = track(t)
    const srv = listener(own)
    const [host, port] = srv.getsockname()
    srv.close()
    const refused = (e) => e.code === 'ECONNREFUSED' && e.syscall === 'connect' && e.port === port
    const s = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    assert.throws(() => s.connectSync([host, port]), refused)
    // In timeout mode the connect goes on in the background and its failure must come
    // out of the wait (on Windows: select's exception set), not as a timeout.
    const timed = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    timed.settimeout(5)
    assert.throws(() => timed.connectSync([host, port]), refused)
    const later = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    await assert.rejects(later.connect([host, port], { timeout: 5 }), refused)
  })
})

describe('Promise forms', () => {
  it('recv waits for data that comes later, without blocking the event loop', async (t) => {
    const own = track(t)
    const [a, b] = connectedPair(own)
    let ticks = 0
    const timer = setInterval(() => ticks++, 5)
    t.after(() => clearInterval(timer))
    const pending = b.recv(16)
    await new Promise((r) => setTimeout(r, 60))
    a.sendallSync('later')
    assert.equal((await pending).toString(), 'later')
    assert.ok(ticks >= 3, `timers ran ${ticks} times while recv waited`)
  })

  it('accept and connect, and many round trips', async (t) => {
    const own = track(t)
    const srv = listener(own)
    const accepted = srv.accept()
    const cli = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    await cli.connect(srv.getsockname())
    const [conn] = await accepted
    own(conn)
    for (let i = 0; i < 200; i++) {
      await cli.sendall(`m${i}`)
      const got = await conn.recv(16)
      assert.equal(got.toString(), `m${i}`)
    }
  })

  it('a per-call timeout rejects, an abort rejects, and no data is lost', async (t) => {
    const own = track(t)
    const [a, b] = connectedPair(own)
    await assert.rejects(b.recv(8, 0, { timeout: 0.05 }), (e) => e.name === 'TimeoutError')
    const ac = new AbortController()
    const aborted = b.recv(8, 0, { signal: ac.signal })
    ac.abort()
    await assert.rejects(aborted, (e) => e.name === 'AbortError')
    a.sendallSync('kept')
    assert.equal((await b.recv(8)).toString(), 'kept')
  })

  it('close() settles calls in flight with EBADF', async (t) => {
    const own = track(t)
    const [, b] = connectedPair(own)
    const pending = b.recv(8)
    b.close()
    await assert.rejects(pending, (e) => e.code === 'EBADF')
  })
})

describe('options, handles, names', () => {
  it('setsockopt/getsockopt round trips', (t) => {
    const own = track(t)
    const s = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    s.setsockopt(bsd.SOL_SOCKET, bsd.SO_REUSEADDR, 1)
    assert.notEqual(s.getsockopt(bsd.SOL_SOCKET, bsd.SO_REUSEADDR), 0)
    s.setsockopt(bsd.IPPROTO_TCP, bsd.TCP_NODELAY, 1)
    assert.notEqual(s.getsockopt(bsd.IPPROTO_TCP, bsd.TCP_NODELAY), 0)
    assert.equal(s.getsockopt(bsd.SOL_SOCKET, bsd.SO_TYPE), bsd.SOCK_STREAM)
  })

  it('new sockets are not inheritable; dup and fromfd share the connection', (t) => {
    const own = track(t)
    const [a, b] = connectedPair(own)
    assert.equal(a.getInheritable(), false)
    a.setInheritable(true)
    assert.equal(a.getInheritable(), true)
    a.setInheritable(false)
    const d = own(a.dup())
    assert.notEqual(d.fileno(), a.fileno())
    assert.equal(d.getInheritable(), false)
    d.sendallSync('via dup')
    assert.equal(recvExactly(b, 7).toString(), 'via dup')
    const f = own(bsd.fromfd(a.fileno(), bsd.AF_INET, bsd.SOCK_STREAM))
    f.sendallSync('via fromfd')
    assert.equal(recvExactly(b, 10).toString(), 'via fromfd')
  })

  it('adopting a socket in blocking mode leaves its non-blocking flag alone', (t) => {
    const own = track(t)
    const [a] = connectedPair(own)
    a.setblocking(false)
    const adopted = own(bsd.fromfd(a.fileno(), bsd.AF_INET, bsd.SOCK_STREAM))
    assert.equal(adopted.gettimeout(), null)
    // Still non-blocking: the flag belongs to the socket both handles share.
    assert.throws(() => a.recvSync(4), (e) => e.code === 'EAGAIN')
  })

  it('TCP_QUICKACK can be set and read back (an ioctl on Windows, as in CPython)', (t) => {
    if (bsd.TCP_QUICKACK === undefined) return t.skip('no TCP_QUICKACK on this platform')
    const own = track(t)
    const [a] = connectedPair(own)
    try {
      a.setsockopt(bsd.IPPROTO_TCP, bsd.TCP_QUICKACK, 1)
    } catch (e) {
      // Wine's Winsock has no SIO_TCP_SET_ACK_FREQUENCY; Windows has.
      if (windows && e.code === 'EOPNOTSUPP' && e.syscall === 'WSAIoctl') return t.skip('this Winsock lacks SIO_TCP_SET_ACK_FREQUENCY')
      throw e
    }
    assert.equal(a.getsockopt(bsd.IPPROTO_TCP, bsd.TCP_QUICKACK), 1)
  })

  it('the resolver and the address helpers', () => {
    const infos = bsd.getaddrinfoSync('127.0.0.1', 80, bsd.AF_INET, bsd.SOCK_STREAM)
    assert.equal(infos.length, 1)
    assert.deepEqual(infos[0][4], ['127.0.0.1', 80])
    assert.throws(() => bsd.getaddrinfoSync('no-such-host.invalid', 80), (e) => e instanceof bsd.GaiError)
    assert.ok(bsd.gethostname().length > 0)
    assert.deepEqual([...bsd.inetPton(bsd.AF_INET6, '::1')], [...Buffer.alloc(15), 1])
    assert.equal(bsd.inetNtop(bsd.AF_INET, Buffer.from([10, 0, 0, 1])), '10.0.0.1')
    const interfaces = bsd.ifNameindex()
    assert.ok(interfaces.length > 0)
    const [index, name] = interfaces[0]
    assert.equal(bsd.ifIndextoname(index), name)
    assert.equal(bsd.ifNametoindex(name), index)
  })

  it('a closed socket says EBADF; bad arguments are TypeError/RangeError with ERR_ codes', (t) => {
    const own = track(t)
    const s = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    s.close()
    s.close()
    assert.equal(s.fileno(), -1)
    assert.throws(() => s.sendSync('x'), (e) => e.code === 'EBADF')
    assert.throws(() => bsd.socket('inet'), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_TYPE')
    const u = own(bsd.socket(bsd.AF_INET, bsd.SOCK_DGRAM))
    assert.throws(() => u.bind(['127.0.0.1', 70000]), (e) => e instanceof RangeError && e.code === 'ERR_SOCKET_BAD_PORT')
  })
})

describe('Windows-only calls', () => {
  it('share() and fromshare() open the same socket again (WSADuplicateSocket)', { skip: !windows && 'Windows only' }, (t) => {
    const own = track(t)
    const [a, b] = connectedPair(own)
    const data = a.share(process.pid)
    assert.ok(Buffer.isBuffer(data) && data.length > 0)
    const copy = own(bsd.fromshare(data))
    assert.equal(copy.family, bsd.AF_INET)
    assert.equal(copy.type, bsd.SOCK_STREAM)
    assert.deepEqual(copy.getsockname(), a.getsockname())
    copy.sendallSync('shared')
    assert.equal(recvExactly(b, 6).toString(), 'shared')
    assert.throws(() => bsd.fromshare(data.subarray(1)), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE')
  })

  it('ioctl() sets keepalive values and refuses unknown controls', { skip: !windows && 'Windows only' }, (t) => {
    const own = track(t)
    const [a] = connectedPair(own)
    a.ioctl(bsd.SIO_KEEPALIVE_VALS, [1, 10_000, 1_000])
    assert.throws(() => a.ioctl(bsd.SIO_KEEPALIVE_VALS, [1, 2]), (e) => e.code === 'ERR_INVALID_ARG_TYPE')
    assert.throws(() => a.ioctl(12345, 1), (e) => e.code === 'ERR_INVALID_ARG_VALUE')
  })

  it('elsewhere they throw ERR_FEATURE_UNAVAILABLE_ON_PLATFORM', { skip: windows && 'not on Windows' }, (t) => {
    const own = track(t)
    const s = own(bsd.socket(bsd.AF_INET, bsd.SOCK_STREAM))
    const unavailable = (e) => e instanceof TypeError && e.code === 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM'
    assert.throws(() => s.share(process.pid), unavailable)
    assert.throws(() => s.ioctl(0, 0), unavailable)
    assert.throws(() => bsd.fromshare(Buffer.alloc(8)), unavailable)
  })
})

describe('what Windows does not have', { skip: windows ? false : 'only on Windows' }, () => {
  it('recvmsg/sendmsg and fd passing fail with EOPNOTSUPP', (t) => {
    const own = track(t)
    const [a] = connectedPair(own)
    assert.throws(() => a.recvmsgSync(16, 64), (e) => e.code === 'EOPNOTSUPP' && e.syscall === 'recvmsg')
    assert.throws(() => a.sendmsgSync(['x']), (e) => e.code === 'EOPNOTSUPP' && e.syscall === 'sendmsg')
  })

  it('SOCK_SEQPACKET is refused by the system', () => {
    assert.throws(() => bsd.socket(bsd.AF_UNIX, bsd.SOCK_SEQPACKET), (e) => e instanceof bsd.SocketError)
  })
})
