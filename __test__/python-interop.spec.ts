/**
 * Interop with CPython's `socket` module: Python (python3) is the peer nobody here wrote.
 * Loopback and AF_UNIX only. Every socket is closed in `finally`, every wait is bounded
 * (our sockets use settimeout, Python peers use their own timeouts and pythonPeer's kill).
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_UNIX,
  MSG_CMSG_CLOEXEC,
  SHUT_WR,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  Socket,
  createConnectionSync,
  createServer,
  recvFdsSync,
  sendFdsSync,
  socket,
  socketpair,
} from '../src/ts/index'
import { fdIsOpen, python, pythonPeer, tempDir, useSockets } from './helpers'

const O_CLOEXEC = 0o2000000

/** Sockets, fds and directories to close/remove after each test, whatever happened. */
const { track, cleanups } = useSockets()
function trackFd(fd: number): number {
  cleanups.push(() => {
    if (fdIsOpen(fd)) closeSync(fd)
  })
  return fd
}
function trackDir(): string {
  const t = tempDir()
  cleanups.push(t.cleanup)
  return t.dir
}

/** recv until EOF, bounded by iterations and the socket's timeout. */
function recvAll(s: Socket, max: number): Buffer {
  const parts: Buffer[] = []
  let total = 0
  for (let i = 0; i < 10_000; i++) {
    const b = s.recvSync(65536)
    if (b.length === 0) return Buffer.concat(parts)
    parts.push(b)
    total += b.length
    if (total > max) throw new Error(`received more than ${max} bytes`)
  }
  throw new Error('recvAll: too many iterations')
}

/** The fd's flags from /proc/self/fdinfo (octal in the file). */
function fdFlags(fd: number): number {
  const m = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))
  if (!m) throw new Error(`no flags for fd ${fd}`)
  return parseInt(m[1]!, 8)
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

describe('TCP with a Python peer', () => {
  it('our createConnectionSync client ↔ Python server that echoes uppercase', async () => {
    const peer = await pythonPeer(`
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.settimeout(10)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
c, addr = srv.accept()
c.settimeout(10)
data = b''
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
c.sendall(data.upper())
c.close()
srv.close()
print(repr(addr))
`)
    const port = Number(peer.line)
    expect(port).toBeGreaterThan(0)
    const c = track(createConnectionSync(['127.0.0.1', port], 10))
    expect(c.family).toBe(AF_INET)
    expect(c.type).toBe(SOCK_STREAM)
    expect(c.gettimeout()).toBe(10)
    expect(c.getpeername()).toEqual(['127.0.0.1', port])
    const [, localPort] = c.getsockname() as [string, number]
    c.sendallSync('hello, world from node ✓')
    c.shutdown(SHUT_WR)
    const got = recvAll(c, 1024)
    expect(got.toString('utf8')).toBe('HELLO, WORLD FROM NODE ✓')
    c.close()
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n')[1]).toBe(`('127.0.0.1', ${localPort})`)
  })

  it('our createServer ↔ Python create_connection, 1 MiB both ways with sha256', async () => {
    const srv = track(createServer(['127.0.0.1', 0]))
    srv.settimeout(10)
    const [host, port] = srv.getsockname() as [string, number]
    expect(host).toBe('127.0.0.1')
    const peer = await pythonPeer(
      `
import hashlib, os, socket, sys
port = int(sys.argv[1])
s = socket.create_connection(('127.0.0.1', port), timeout=10)
payload = os.urandom(1 << 20)
print(s.getsockname()[1], hashlib.sha256(payload).hexdigest(), flush=True)
s.sendall(payload)
s.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
s.close()
print(len(got), hashlib.sha256(got).hexdigest())
`,
      [String(port)],
    )
    const [pyPort, pySentHash] = peer.line.split(' ')
    const [conn, addr] = srv.acceptSync()
    track(conn)
    expect(addr).toEqual(['127.0.0.1', Number(pyPort)])
    // accept() gives the default timeout (null), never the listener's: bound it ourselves.
    expect(conn.gettimeout()).toBe(null)
    conn.settimeout(10)
    const received = recvAll(conn, 1 << 20)
    expect(received.length).toBe(1 << 20)
    expect(sha256(received)).toBe(pySentHash)
    const mine = randomBytes(1 << 20)
    conn.sendallSync(mine)
    conn.close()
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n')[1]).toBe(`${1 << 20} ${sha256(mine)}`)
  })
})

describe('UDP with a Python peer', () => {
  it('datagrams (including zero-length) round-trip; addresses match Python getsockname()', async () => {
    const peer = await pythonPeer(`
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1], flush=True)
seen = []
for _ in range(3):
    data, addr = s.recvfrom(65536)
    seen.append((len(data), addr))
    s.sendto(data.upper(), addr)
s.close()
print(repr(seen))
`)
    const pyAddr: [string, number] = ['127.0.0.1', Number(peer.line)]
    const u = track(socket(AF_INET, SOCK_DGRAM))
    u.settimeout(10)
    u.bind(['127.0.0.1', 0])
    const mine = u.getsockname() as [string, number]
    expect(mine[0]).toBe('127.0.0.1')
    const sent = [Buffer.from('abc'), Buffer.alloc(0), Buffer.from('x'.repeat(1200))]
    for (const d of sent) {
      expect(u.sendtoSync(d, pyAddr)).toBe(d.length)
      const [data, from] = u.recvfromSync(65536)
      expect(from).toEqual(pyAddr)
      expect(data.equals(Buffer.from(d.toString('latin1').toUpperCase(), 'latin1'))).toBe(true)
      expect(data.length).toBe(d.length)
    }
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    const m = `('127.0.0.1', ${mine[1]})`
    expect(out.split('\n')[1]).toBe(`[(3, ${m}), (0, ${m}), (1200, ${m})]`)
  })
})

describe('AF_UNIX SOCK_SEQPACKET with a Python peer', () => {
  it('keeps message boundaries both ways with a Python server on a path', async () => {
    const dir = trackDir()
    const path = join(dir, 'seq.sock')
    const peer = await pythonPeer(
      `
import socket, sys
srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.settimeout(10)
srv.bind(sys.argv[1])
srv.listen(1)
print('ready', flush=True)
c, _ = srv.accept()
c.settimeout(10)
lens = []
for _ in range(3):
    m = c.recv(100000)
    lens.append((len(m), m[:1].decode(), len(set(m))))
for n, ch in ((7, 'p'), (2000, 'q'), (40000, 'r')):
    c.send(ch.encode() * n)
c.close()
srv.close()
print(lens, repr(c.family), flush=True)
`,
      [path],
    )
    expect(peer.line).toBe('ready')
    const s = track(socket(AF_UNIX, SOCK_SEQPACKET))
    s.settimeout(10)
    s.connectSync(path)
    expect(s.getpeername()).toBe(path)
    expect(s.getsockname()).toBe('')
    expect(s.sendSync(Buffer.alloc(1, 'a'))).toBe(1)
    expect(s.sendSync(Buffer.alloc(3000, 'b'))).toBe(3000)
    expect(s.sendSync(Buffer.alloc(50000, 'c'))).toBe(50000)
    const got: Buffer[] = []
    for (let i = 0; i < 4; i++) {
      const m = s.recvSync(100000)
      if (m.length === 0) break
      got.push(m)
    }
    expect(got.map((m) => m.length)).toEqual([7, 2000, 40000])
    expect(got[0]!.equals(Buffer.alloc(7, 'p'))).toBe(true)
    expect(got[1]!.equals(Buffer.alloc(2000, 'q'))).toBe(true)
    expect(got[2]!.equals(Buffer.alloc(40000, 'r'))).toBe(true)
    // After the 3 messages: orderly EOF.
    expect(s.recvSync(100).length).toBe(0)
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n')[1]).toBe("[(1, 'a', 1), (3000, 'b', 1), (50000, 'c', 1)] <AddressFamily.AF_UNIX: 1>")
  })

  it('abstract name bound by us: Python connects with the exact-length name (no NUL padding)', async () => {
    const name = Buffer.from(`\0bsd-sockets-test-${randomBytes(6).toString('hex')}`, 'latin1')
    const srv = track(socket(AF_UNIX, SOCK_SEQPACKET))
    srv.settimeout(10)
    srv.bind(name)
    srv.listen(2)
    const bound = srv.getsockname()
    expect(Buffer.isBuffer(bound)).toBe(true)
    expect((bound as Buffer).equals(name)).toBe(true)
    const peer = await pythonPeer(
      `
import socket, sys
name = bytes.fromhex(sys.argv[1])
# A NUL-padded version of the name (what buggy libraries bind) must NOT exist.
p = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    p.connect(name + b'\\0' * (108 - len(name)))
    padded = 'connected'
except OSError as e:
    padded = e.errno
p.close()
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(10)
s.connect(name)
print(s.getpeername().hex(), padded, flush=True)
s.send(b'from python')
print(s.recv(100).decode())
s.close()
`,
      [name.toString('hex')],
    )
    const [peerName, padded] = peer.line.split(' ')
    expect(peerName).toBe(name.toString('hex'))
    expect(padded).toBe('111') // ECONNREFUSED: nothing is bound at the padded name
    const [conn, addr] = srv.acceptSync()
    track(conn)
    conn.settimeout(10)
    expect(addr).toBe('') // Python's client is unbound
    const local = conn.getsockname()
    expect(Buffer.isBuffer(local) && local.equals(name)).toBe(true)
    expect(conn.recvSync(100).toString()).toBe('from python')
    conn.sendallSync('from node')
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n')[1]).toBe('from node')
  })

  it('abstract name bound by Python: we connect with the exact Buffer; getpeername is that Buffer', async () => {
    const name = Buffer.from(`\0bsd-sockets-test-${randomBytes(6).toString('hex')}`, 'latin1')
    const peer = await pythonPeer(
      `
import socket, sys
name = bytes.fromhex(sys.argv[1])
srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.settimeout(10)
srv.bind(name)
srv.listen(2)
print(srv.getsockname().hex(), flush=True)
c, addr = srv.accept()
c.settimeout(10)
c.send(c.recv(100).upper())
print(repr(addr), c.getsockname().hex())
c.close()
srv.close()
`,
      [name.toString('hex')],
    )
    expect(peer.line).toBe(name.toString('hex'))
    // The same name with NUL padding is a different abstract name: refused.
    const padded = track(socket(AF_UNIX, SOCK_SEQPACKET))
    padded.settimeout(10)
    expect(padded.connectExSync(Buffer.concat([name, Buffer.alloc(108 - name.length)]))).toBe(111)
    padded.close()

    const s = track(socket(AF_UNIX, SOCK_SEQPACKET))
    s.settimeout(10)
    // A string with a leading NUL is the same abstract name, byte for byte.
    s.connectSync(name.toString('latin1'))
    const pn = s.getpeername()
    expect(Buffer.isBuffer(pn)).toBe(true)
    expect((pn as Buffer).equals(name)).toBe(true)
    expect(s.getsockname()).toBe('')
    s.sendSync('shout')
    expect(s.recvSync(100).toString()).toBe('SHOUT')
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    // Python saw an unbound (empty) peer and its own exact name.
    expect(out.split('\n')[1]).toBe(`'' ${name.toString('hex')}`)
  })
})

describe('AF_UNIX SOCK_DGRAM abstract names with a Python peer', () => {
  it('names with embedded and trailing NULs travel byte-exact both ways', async () => {
    const r = randomBytes(4).toString('hex')
    const ours = Buffer.from(`\0bsd-sockets-test-${r}-node\0x\0\0`, 'latin1')
    const theirs = Buffer.from(`\0bsd-sockets-test-${r}-py\0\0\0`, 'latin1')
    const u = track(socket(AF_UNIX, SOCK_DGRAM))
    u.settimeout(10)
    u.bind(ours)
    expect((u.getsockname() as Buffer).equals(ours)).toBe(true)
    const peer = await pythonPeer(
      `
import socket, sys
mine, peer = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.settimeout(10)
s.bind(mine)
print(s.getsockname().hex(), flush=True)
s.sendto(b'hello from python', peer)
data, addr = s.recvfrom(100)
print(data.decode(), addr.hex(), addr == peer, flush=True)
s.close()
`,
      [theirs.toString('hex'), ours.toString('hex')],
    )
    expect(peer.line).toBe(theirs.toString('hex'))
    const [data, from] = u.recvfromSync(100)
    expect(data.toString()).toBe('hello from python')
    expect(Buffer.isBuffer(from)).toBe(true)
    expect((from as Buffer).equals(theirs)).toBe(true)
    // Reply to the address exactly as recvfrom returned it.
    expect(u.sendtoSync('hello from node', from as Buffer)).toBe(15)
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n')[1]).toBe(`hello from node ${ours.toString('hex')} True`)
  })
})

describe('fd passing with a Python peer', () => {
  it('Python send_fds → our recvFdsSync: fds are close-on-exec and usable', async () => {
    const dir = trackDir()
    const path = join(dir, 'fds.sock')
    const srv = track(socket(AF_UNIX, SOCK_STREAM))
    srv.settimeout(10)
    srv.bind(path)
    srv.listen(1)
    const peer = await pythonPeer(
      `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
r, w = os.pipe()
a, b = socket.socketpair()
b.settimeout(10)
print('connected', flush=True)
socket.send_fds(s, [b'two fds'], [w, a.fileno()])
os.close(w)
a.close()
data = b''
while True:
    chunk = os.read(r, 4096)
    if not chunk:
        break
    data += chunk
print(data.decode(), flush=True)
print(b.recv(100).decode(), flush=True)
b.close()
s.close()
`,
      [path],
    )
    expect(peer.line).toBe('connected')
    const [conn] = srv.acceptSync()
    track(conn)
    conn.settimeout(10)
    const [data, fds, msgFlags, addr] = recvFdsSync(conn, 100, 4)
    fds.forEach(trackFd)
    expect(data.toString()).toBe('two fds')
    expect(fds).toHaveLength(2)
    // Nothing truncated. (MSG_CMSG_CLOEXEC, which we pass internally, is masked here: a
    // separate test checks it does not leak into msg_flags.)
    expect(msgFlags & ~MSG_CMSG_CLOEXEC).toBe(0)
    expect(addr).toBe(null) // Python's client socket is unbound
    const [pipeFd, sockFd] = fds as [number, number]
    expect(fdIsOpen(pipeFd)).toBe(true)
    // MSG_CMSG_CLOEXEC: both received fds are close-on-exec.
    expect(fdFlags(pipeFd) & O_CLOEXEC).toBe(O_CLOEXEC)
    expect(fdFlags(sockFd) & O_CLOEXEC).toBe(O_CLOEXEC)
    writeSync(pipeFd, 'through the pipe')
    closeSync(pipeFd)
    const adopted = track(Socket.fromFd(sockFd))
    expect(adopted.getInheritable()).toBe(false)
    expect(adopted.family).toBe(AF_UNIX)
    expect(adopted.type).toBe(SOCK_STREAM)
    adopted.settimeout(10)
    adopted.sendallSync('via the socketpair')
    adopted.close()
    expect(fdIsOpen(sockFd)).toBe(false)
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n').slice(1, 3)).toEqual(['through the pipe', 'via the socketpair'])
  })

  it('our sendFdsSync → Python recv_fds: Python uses the fd to send us data', async () => {
    const dir = trackDir()
    const path = join(dir, 'fds2.sock')
    const srv = track(socket(AF_UNIX, SOCK_STREAM))
    srv.settimeout(10)
    srv.bind(path)
    srv.listen(1)
    const peer = await pythonPeer(
      `
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
print('connected', flush=True)
msg, fds, flags, addr = socket.recv_fds(s, 100, 4)
print(msg.decode(), len(fds), flags, addr, flush=True)
t = socket.socket(fileno=fds[0])
print(t.family == socket.AF_UNIX, t.type == socket.SOCK_STREAM, flush=True)
t.sendall(b'sent by python through our fd')
t.close()
s.close()
`,
      [path],
    )
    expect(peer.line).toBe('connected')
    const [conn] = srv.acceptSync()
    track(conn)
    conn.settimeout(10)
    const [a, b] = socketpair()
    track(a)
    track(b)
    a.settimeout(10)
    expect(sendFdsSync(conn, ['take this'], [b.fileno()])).toBe(9)
    b.close() // Python now holds the only other end
    const got = recvAll(a, 1000)
    expect(got.toString()).toBe('sent by python through our fd')
    const { code, out, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    // The kernel reports the sender's name on AF_UNIX stream sockets: our accepted
    // socket carries the listener's path, so Python sees it (as with any C peer).
    expect(out.split('\n').slice(1, 3)).toEqual([`take this 1 0 ${path}`, 'True True'])
  })
})

describe('msg_flags parity with Python', () => {
  it('recvFdsSync/recvmsgSync report the msg_flags Python reports for the same messages', async () => {
    const dir = trackDir()
    const path = join(dir, 'flags.sock')
    const srv = track(socket(AF_UNIX, SOCK_STREAM))
    srv.settimeout(10)
    srv.bind(path)
    srv.listen(1)
    // Python computes what its own recv_fds / recvmsg report for the same three messages
    // (on a socketpair), then sends them to us.
    const peer = await pythonPeer(
      `
import os, socket, sys
r, w = os.pipe()
def send_all(sock):
    socket.send_fds(sock, [b'one'], [w])
    socket.send_fds(sock, [b'two'], [w, r])
    sock.send(b'plain')
a, b = socket.socketpair()
send_all(a)
f1 = socket.recv_fds(b, 3, 1)
f2 = socket.recv_fds(b, 3, 1)
f3 = b.recvmsg(5)
for fd in f1[1] + f2[1]:
    os.close(fd)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
print(f1[2], f2[2], f3[2], flush=True)
send_all(s)
s.recv(1)
s.close()
`,
      [path],
    )
    const [conn] = srv.acceptSync()
    track(conn)
    conn.settimeout(10)
    const [d1, fds1, flags1] = recvFdsSync(conn, 3, 1)
    fds1.forEach(trackFd)
    const [d2, fds2, flags2] = recvFdsSync(conn, 3, 1)
    fds2.forEach(trackFd)
    const [d3, , flags3] = conn.recvmsgSync(5)
    conn.sendallSync('k')
    const { code, err } = await peer.done
    expect(err).toBe('')
    expect(code).toBe(0)
    expect([d1.toString(), d2.toString(), d3.toString()]).toEqual(['one', 'two', 'plain'])
    expect([fds1.length, fds2.length]).toEqual([1, 1])
    // Python: "0 8 0" (MSG_CTRUNC only when the second fd did not fit).
    expect(peer.line).toBe('0 8 0')
    expect(`${flags1} ${flags2} ${flags3}`).toBe(peer.line)
  })
})

describe('connectEx against Python', () => {
  it('a closed port gives 111 (ECONNREFUSED), the same number Python connect_ex returns', () => {
    // A bound, non-listening TCP socket owns the port: connecting to it is refused.
    const holder = track(socket(AF_INET, SOCK_STREAM))
    holder.bind(['127.0.0.1', 0])
    const [, port] = holder.getsockname() as [string, number]
    const s = track(socket(AF_INET, SOCK_STREAM))
    s.settimeout(5)
    const ours = s.connectExSync(['127.0.0.1', port])
    expect(ours).toBe(111)
    const theirs = python(
      `
import socket, sys
s = socket.socket()
s.settimeout(5)
print(s.connect_ex(('127.0.0.1', int(sys.argv[1]))))
s.close()
`,
      [String(port)],
    ).trim()
    expect(Number(theirs)).toBe(ours)
    // And the throwing form carries the same errno.
    const t = track(socket(AF_INET, SOCK_STREAM))
    t.settimeout(5)
    expect(() => t.connectSync(['127.0.0.1', port])).toThrow(expect.objectContaining({ code: 'ECONNREFUSED', errno: 111 }))
  })
})
