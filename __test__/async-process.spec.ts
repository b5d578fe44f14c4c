/**
 * Event-loop integration seen from outside: each case runs in a child process and is
 * judged by its exit status, its output and its stderr.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const DIST = join(__dirname, '..', 'dist', 'index.js')

function runNode(code: string, args: string[] = [], timeout = 15_000) {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [...args, '-e', code], {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, BSD: DIST },
  })
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 }
}

describe('process lifetime', () => {
  it('a pending call keeps the process alive until it completes', () => {
    const r = runNode(`
const b = require(process.env.BSD)
const [x, y] = b.socketpair()
x.recv(10).then((d) => { console.log('got', d.toString()); x.close(); y.close() })
// Data arrives from another thread 300 ms later; nothing else keeps the loop alive.
const { Worker } = require('worker_threads')
const w = new Worker('setTimeout(() => { require("fs").writeSync(' + y.fileno() + ', "late") }, 300)', { eval: true })
w.unref()
`)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.trim()).toBe('got late')
  })

  it('an unref()ed socket does not keep the process alive; a closed one never does', () => {
    const r = runNode(`
const b = require(process.env.BSD)
const [x, y] = b.socketpair()
x.unref()
x.recv(10).then(() => console.log('settled?!'))
const [p, q] = b.socketpair()
const pending = p.recv(10).catch((e) => console.log('closed', e.code))
p.close()
console.log('end of script')
`)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['end of script', 'closed EBADF'])
    expect(r.ms).toBeLessThan(5000)
  })

  it('ref() after unref() keeps it alive again', () => {
    const r = runNode(`
const b = require(process.env.BSD)
const [x, y] = b.socketpair()
x.unref(); x.ref()
x.recv(10).then((d) => { console.log('got', d.toString()); x.close() })
setTimeout(() => y.sendSync('again'), 200).unref()
`)
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, 'got again', ''])
  })

  it('process.exit with calls pending exits cleanly', () => {
    const r = runNode(`
const b = require(process.env.BSD)
const socks = []
for (let i = 0; i < 20; i++) { const [x, y] = b.socketpair(); socks.push(x, y); x.recv(10).catch(() => {}); y.send('').catch(() => {}) }
const srv = b.createServer(['127.0.0.1', 0]); srv.accept().catch(() => {})
setTimeout(() => process.exit(7), 50)
`)
    expect([r.status, r.signal, r.stderr]).toEqual([7, null, ''])
  })

  it('settling from the poll callback runs microtasks at once (callback scope)', () => {
    // Nothing but the socket is active: if microtasks waited for another event, the
    // chained continuations below would never run and the process would hang.
    const r = runNode(`
const b = require(process.env.BSD)
const [x, y] = b.socketpair()
const { Worker } = require('worker_threads')
const w = new Worker('setTimeout(() => require("fs").writeSync(' + y.fileno() + ', "ping"), 100)', { eval: true })
w.unref()
;(async () => {
  const d = await x.recv(10)
  await Promise.resolve()
  await new Promise((r) => queueMicrotask(r))
  console.log('continued', d.toString())
  x.close(); y.close()
})()
`)
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, 'continued ping', ''])
  })
})

describe('garbage collection', () => {
  it('a pending call keeps its socket and buffer alive', () => {
    const r = runNode(
      `
const b = require(process.env.BSD)
let writer
;(() => {
  const [x, y] = b.socketpair()
  writer = y
  const buf = Buffer.alloc(16)
  x.recvInto(buf).then((n) => { console.log('got', buf.subarray(0, n).toString()); x.close(); writer.close() })
})()
process.on('warning', (w) => console.log('WARN', w.name))
setTimeout(async () => {
  for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)) }
  writer.sendSync('survived')
}, 20)
`,
      ['--expose-gc'],
    )
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.trim()).toBe('got survived')
  })

  it('a collected socket that was watched closes its poll handle before its fd', () => {
    const r = runNode(
      `
const b = require(process.env.BSD)
const fs = require('fs')
let fd
;(async () => {
  await (async () => {
    const [x, y] = b.socketpair()
    fd = x.fileno()
    y.sendSync('z')
    await x.recv(1, 0, { timeout: 1 })   // watched (or completed at once) ...
    await x.recv(1, 0, { timeout: 0.01 }).catch(() => {}) // ... now certainly watched
    y.close()
  })()
  for (let i = 0; i < 50 && fs.existsSync('/proc/self/fd/' + fd); i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)) }
  // The number is reused by a new socket whose waits must work.
  const [p, q] = b.socketpair()
  const got = p.recv(10)
  q.sendSync('ok')
  console.log('closed', !fs.existsSync('/proc/self/fd/' + fd) || p.fileno() === fd || q.fileno() === fd, (await got).toString())
  p.close(); q.close()
})()
`,
      ['--expose-gc', '--no-warnings'],
    )
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.trim()).toBe('closed true ok')
  })
})

describe('worker threads', () => {
  it('workers terminated with calls pending do not crash Node', () => {
    const r = runNode(`
const { Worker } = require('worker_threads')
const code = \`
  const b = require(process.env.BSD)
  const { parentPort } = require('worker_threads')
  const socks = []
  for (let i = 0; i < 10; i++) { const [x, y] = b.socketpair(); socks.push(x, y); x.recv(10); y.recv(10, 0, { timeout: 30 }) }
  const srv = b.createServer(['127.0.0.1', 0]); srv.accept()
  const u = b.socket(b.AF_INET, b.SOCK_DGRAM); u.bind(['127.0.0.1', 0]); u.recvfrom(100)
  parentPort.postMessage('pending')
\`
let exited = 0
for (let i = 0; i < 4; i++) {
  const w = new Worker(code, { eval: true })
  w.on('message', async () => { await w.terminate() })
  w.on('error', (e) => { console.log('ERROR', e.message); process.exitCode = 1 })
  w.on('exit', () => { if (++exited === 4) console.log('all terminated') })
}
`)
    expect(r.signal).toBeNull()
    expect(r.stderr).toBe('')
    expect([r.status, r.stdout.trim()]).toEqual([0, 'all terminated'])
  })

  it('each worker has its own loop and error classes', () => {
    const r = runNode(`
const { Worker } = require('worker_threads')
const code = \`
  const b = require(process.env.BSD)
  const { parentPort } = require('worker_threads')
  ;(async () => {
    const [x, y] = b.socketpair()
    const got = x.recv(32)
    await y.send('from a worker')
    let e; try { await b.socket().connect(['127.0.0.1', 1]) } catch (err) { e = err }
    parentPort.postMessage([(await got).toString(), e instanceof b.SocketError, e.code])
    x.close(); y.close()
  })()
\`
let n = 0
for (let i = 0; i < 3; i++) {
  const w = new Worker(code, { eval: true })
  w.on('message', (m) => { console.log(JSON.stringify(m)); n++ })
  w.on('error', (e) => { console.log('ERROR', e.message); process.exitCode = 1 })
}
`)
    expect([r.status, r.stderr]).toEqual([0, ''])
    expect(r.stdout.match(/\["from a worker",true,"ECONNREFUSED"\]/g)?.length).toBe(3)
  })
})

describe('interop while async', () => {
  it('a Python client and our async server exchange data', async () => {
    const b = await import('../src/ts/index')
    const srv = b.createServer(['127.0.0.1', 0])
    const port = (srv.getsockname() as [string, number])[1]
    const py = spawn('python3', [
      '-c',
      `import socket,sys
s=socket.create_connection(('127.0.0.1',int(sys.argv[1])),timeout=5)
s.sendall(b'x'*100000); s.shutdown(socket.SHUT_WR)
print(s.recv(100).decode())`,
      String(port),
    ])
    let out = ''
    py.stdout.on('data', (d) => (out += d))
    const done = new Promise((r) => py.on('close', r))
    const [conn] = await srv.accept({ timeout: 5 })
    let total = 0
    for (;;) {
      const d = await conn.recv(65536, 0, { timeout: 5 })
      if (d.length === 0) break
      total += d.length
    }
    await conn.sendall(`received ${total}`)
    conn.close()
    srv.close()
    await done
    expect(out.trim()).toBe('received 100000')
  })
})
