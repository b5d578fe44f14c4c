/**
 * Process-level behaviour, each case in a child process so a crash or a leak shows as
 * an exit status or stderr, never as a broken test runner.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const DIST = join(__dirname, '..', 'dist', 'index.js')

function runNode(code: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...args, '-e', code], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, BSD: DIST },
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('finalizer of unclosed sockets', () => {
  it('closes the fd of a collected socket and warns like ResourceWarning', () => {
    const r = runNode(
      `
const b = require(process.env.BSD)
const fs = require('fs')
process.on('warning', (w) => console.log('WARN', w.name, w.message))
let fd
;(() => { const s = b.socket(b.AF_INET, b.SOCK_DGRAM); fd = s.fileno() })()
const kept = b.socket()
const closed = b.socket(); closed.close()
const tick = () => new Promise((r) => setTimeout(r, 20))
;(async () => {
  for (let i = 0; i < 50 && fs.existsSync('/proc/self/fd/' + fd); i++) { globalThis.gc(); await tick() }
  console.log('OPEN', fs.existsSync('/proc/self/fd/' + fd), 'KEPT', fs.existsSync('/proc/self/fd/' + kept.fileno()))
  await tick()
  kept.close()
})()
`,
      ['--expose-gc'],
    )
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/WARN ResourceWarning unclosed <Socket fd=\d+ family=AF_INET type=SOCK_DGRAM proto=0/)
    expect(r.stdout).toContain('OPEN false KEPT true')
    // Exactly one warning: closed and still-referenced sockets do not warn.
    expect(r.stdout.match(/WARN/g)?.length).toBe(1)
  })
})

describe('process lifetime', () => {
  it('open, unused sockets do not keep the process alive; exit is clean', () => {
    const r = runNode(`
const b = require(process.env.BSD)
const srv = b.createServer(['127.0.0.1', 0])
const [x, y] = b.socketpair()
console.log('ready')
`)
    expect(r.status).toBe(0)
    expect(r.stdout.trim()).toBe('ready')
    expect(r.stderr).toBe('')
  })

  it('process.exit with open sockets is clean', () => {
    const r = runNode(`
const b = require(process.env.BSD)
const s = b.socket(); s.bind(['127.0.0.1', 0]); s.listen()
process.exit(3)
`)
    expect([r.status, r.stderr]).toEqual([3, ''])
  })

  it('a send to a closed peer never kills the process, even with SIGPIPE at its default action', () => {
    // Run with SIGPIPE restored to SIG_DFL (as an embedder might): sh resets it for us.
    const code = `
const b = require(process.env.BSD)
const [a, c] = b.socketpair()
c.close()
try { a.sendSync('x') } catch (e) { console.log(e.code) }
const fs = require('fs')
const path = require('os').tmpdir() + '/bsd-sockets-sigpipe-' + process.pid
fs.writeFileSync(path, 'x'.repeat(100000))
const [p, q] = b.socketpair(); q.close()
const fd = fs.openSync(path, 'r')
try { p.sendfileSync(fd) } catch (e) { console.log('sendfile', e.code) }
fs.closeSync(fd); fs.unlinkSync(path)
console.log('alive')
`
    const r = spawnSync('sh', ['-c', 'trap - PIPE; exec "$0" -e "$1"', process.execPath, code], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, BSD: DIST },
    })
    expect(r.signal).toBeNull()
    expect(r.stdout.split('\n')).toEqual(['EPIPE', 'sendfile EPIPE', 'alive', ''])
  })
})

describe('worker threads', () => {
  it('sockets and error classes work in each worker; workers exit cleanly', () => {
    const r = runNode(`
const { Worker } = require('worker_threads')
const code = \`
  const b = require(process.env.BSD)
  const { parentPort } = require('worker_threads')
  const [a, c] = b.socketpair()
  a.sendallSync('from worker')
  let err
  try { b.socket().connectSync(['127.0.0.1', 1]) } catch (e) { err = e }
  parentPort.postMessage([c.recvSync(64).toString(), err instanceof b.SocketError, err.code])
  a.close()
  // c is left open on purpose: the worker's teardown must cope.
\`
let done = 0
for (let i = 0; i < 3; i++) {
  const w = new Worker(code, { eval: true })
  w.on('message', (m) => console.log(JSON.stringify(m)))
  w.on('error', (e) => { console.log('ERROR', e.message); process.exitCode = 1 })
  w.on('exit', (c) => { if (++done === 3) console.log('all exited', c) })
}
`)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout.match(/\["from worker",true,"ECONNREFUSED"\]/g)?.length).toBe(3)
    expect(r.stdout).toContain('all exited 0')
  })
})
