#!/usr/bin/env node
// The benchmark driver: `npm run bench` (full, ≤ ~12 min) or `npm run bench -- --quick` (~2 min).
//
// Runs every workload for every implementation — C (plain blocking syscalls, the physical
// limit), Python's socket module, Node net/dgram, bsd-sockets *Sync, bsd-sockets async —
// round-robin, several rounds, and reports medians with ratios to C and to Node from the
// same run. Each cell is a server and a client process of the same implementation (the
// per-call rows are one process), on loopback only. See bench/README.md.
//
// Options: --quick  --rounds N  --budget SECS  --warm SECS  --dur SECS
//          --only W1,W4p,…  --impl c,py,node,sync,async  --no-rss  --out FILE.md
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const BENCH = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.dirname(BENCH)
const BUILD = path.join(BENCH, '.build')
const MSG = 64

// ---- options ---------------------------------------------------------------------

function parseArgs(argv) {
  const o = { quick: false, rss: true }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${a} needs a value`)
      return v
    }
    if (a === '--quick') o.quick = true
    else if (a === '--no-rss') o.rss = false
    else if (a === '--rounds') o.rounds = Number(val())
    else if (a === '--budget') o.budget = Number(val())
    else if (a === '--warm') o.warm = Number(val())
    else if (a === '--dur') o.dur = Number(val())
    else if (a === '--only') o.only = val().split(',')
    else if (a === '--impl') o.impl = val().split(',')
    else if (a === '--out') o.out = val()
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport ')[0])
      process.exit(0)
    } else throw new Error(`unknown option ${a}`)
  }
  const base = o.quick
    ? { warm: 0.15, dur: 0.35, rounds: 3, minRounds: 3, budget: 130 }
    : { warm: 0.3, dur: 1.0, rounds: 7, minRounds: 3, budget: 660 }
  const all = { ...base, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) }
  all.minRounds = Math.min(all.minRounds, all.rounds)
  return all
}

const opts = parseArgs(process.argv.slice(2))
const BULK_MIN_MIB = 256
const RSS_OPS = 1_000_000

// ---- implementations and workloads --------------------------------------------------

const C_IMPL = { id: 'c', label: 'C', cmd: (prog) => [path.join(BUILD, prog)] }
const IMPLS = [
  C_IMPL,
  { id: 'py', label: 'Python socket', cmd: (prog) => ['python3', path.join(BENCH, 'py', `${prog}.py`)] },
  {
    id: 'node',
    label: 'Node net/dgram',
    cmd: (prog) => (prog === 'percall' ? null : [process.execPath, path.join(BENCH, 'node', `${prog}.mjs`)]),
  },
  { id: 'sync', label: 'bsd-sockets sync', cmd: (prog) => [process.execPath, path.join(BENCH, 'bsd', `${prog}.mjs`), 'sync'] },
  { id: 'async', label: 'bsd-sockets async', cmd: (prog) => [process.execPath, path.join(BENCH, 'bsd', `${prog}.mjs`), 'async'] },
].filter((i) => !opts.impl || opts.impl.includes(i.id))

const rate = (unit) => ({ unit, better: 'higher' })
// kind: stream (echo server + pp client), bulk (sink + bulk client), udp (echo + pp),
// blast (sink + blast), percall (one process).
const WORKLOADS = [
  { id: 'W1', label: 'TCP ping-pong 64 B, pinned', kind: 'stream', fam: 'tcp', depth: 1, pin: true, metrics: { rt: rate('round trips/s') } },
  { id: 'W1p', label: 'TCP pipelined ×32', kind: 'stream', fam: 'tcp', depth: 32, metrics: { rt: rate('msgs/s') } },
  { id: 'W2', label: 'TCP bulk, 64 KiB writes', kind: 'bulk', fam: 'tcp', metrics: { mibs: rate('MiB/s') } },
  {
    id: 'W3',
    label: 'UDP 64 B one-way blast',
    kind: 'blast',
    metrics: {
      sent: { ...rate('sent/s'), label: 'UDP blast: sent/s' },
      recv: { ...rate('received/s'), label: 'UDP blast: received/s' },
      loss: { unit: '% lost', better: 'lower', label: 'UDP blast: loss', noRatio: true },
    },
  },
  {
    id: 'W3r',
    label: 'UDP 64 B receive capacity (C blaster sends)',
    kind: 'blast',
    cSender: true,
    metrics: {
      recv: { ...rate('received/s'), label: 'UDP receive from the C blaster: received/s' },
      loss: { unit: '% lost', better: 'lower', label: 'UDP receive from the C blaster: loss', noRatio: true },
    },
  },
  { id: 'W3pp', label: 'UDP ping-pong 64 B, pinned', kind: 'udp', depth: 1, pin: true, metrics: { rt: rate('round trips/s') } },
  { id: 'W3p', label: 'UDP pipelined ×32', kind: 'udp', depth: 32, metrics: { rt: rate('msgs/s') } },
  { id: 'W4', label: 'AF_UNIX stream ping-pong 64 B, pinned', kind: 'stream', fam: 'unix', depth: 1, pin: true, metrics: { rt: rate('round trips/s') } },
  { id: 'W4p', label: 'AF_UNIX stream pipelined ×32', kind: 'stream', fam: 'unix', depth: 32, metrics: { rt: rate('msgs/s') } },
  { id: 'W5', label: 'per-call send + recv 64 B (socketpair, data waiting)', kind: 'percall', how: 'recv', metrics: { pairs: rate('pairs/s') } },
  { id: 'W5i', label: 'per-call send + recvInto 64 B (caller buffer)', kind: 'percall', how: 'into', metrics: { pairs: rate('pairs/s') } },
].filter((w) => !opts.only || opts.only.includes(w.id))

const TARGETS = [
  { what: 'per-call sync ≥ 0.90× C', wl: 'W5', m: 'pairs', impl: 'sync', min: 0.9 },
  { what: 'pinned TCP ping-pong async ≥ 0.50× C', wl: 'W1', m: 'rt', impl: 'async', min: 0.5 },
  { what: 'pinned UDP ping-pong async ≥ 0.50× C', wl: 'W3pp', m: 'rt', impl: 'async', min: 0.5 },
  { what: 'pinned AF_UNIX ping-pong async ≥ 0.50× C', wl: 'W4', m: 'rt', impl: 'async', min: 0.5 },
  { what: 'pinned TCP ping-pong sync ≥ 0.95× C', wl: 'W1', m: 'rt', impl: 'sync', min: 0.95 },
  { what: 'pinned UDP ping-pong sync ≥ 0.95× C', wl: 'W3pp', m: 'rt', impl: 'sync', min: 0.95 },
  { what: 'pinned AF_UNIX ping-pong sync ≥ 0.95× C', wl: 'W4', m: 'rt', impl: 'sync', min: 0.95 },
  { what: 'pipelined TCP async ≥ 0.75× C', wl: 'W1p', m: 'rt', impl: 'async', min: 0.75 },
  { what: 'pipelined AF_UNIX async ≥ 0.75× C', wl: 'W4p', m: 'rt', impl: 'async', min: 0.75 },
  { what: 'UDP receive async ≥ 0.85× C', wl: 'W3r', m: 'recv', impl: 'async', min: 0.85 },
  { what: 'TCP bulk async ≥ 0.90× C', wl: 'W2', m: 'mibs', impl: 'async', min: 0.9 },
]

// ---- processes -------------------------------------------------------------------

const live = new Set()
function killGroup(child) {
  if (child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    try {
      child.kill('SIGKILL')
    } catch {
      // already gone
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of live) killGroup(c)
    process.exit(130)
  })
}

/** Starts a process in its own process group; `done` resolves with {code, out, err}. */
function start(argv, pin) {
  const full = pin ? ['taskset', '-c', '0', ...argv] : argv
  const child = spawn(full[0], full.slice(1), { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  live.add(child)
  const p = { child, out: '', err: '' }
  child.stdout.setEncoding('utf8').on('data', (d) => (p.out += d))
  child.stderr.setEncoding('utf8').on('data', (d) => (p.err += d))
  p.done = new Promise((resolve) => {
    child.on('error', (e) => {
      p.err += String(e)
      resolve({ code: -1 })
    })
    child.on('close', (code, signal) => {
      live.delete(child)
      resolve({ code: code ?? signal })
    })
  })
  return p
}

/** Waits for `promise` at most `secs`; on timeout kills `procs` and throws. */
async function within(secs, promise, procs, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${secs} s`)), secs * 1000)
  })
  try {
    return await Promise.race([promise, timeout])
  } catch (e) {
    for (const p of procs) killGroup(p.child)
    throw e
  } finally {
    clearTimeout(timer)
  }
}

function waitReady(p) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = /^READY (\d+)$/m.exec(p.out)
      if (m) {
        p.child.stdout.off('data', check)
        resolve(Number(m[1]))
      }
    }
    p.child.stdout.on('data', check)
    check()
    p.done.then(() => reject(new Error(`server exited before READY: ${tail(p.err)}`)))
  })
}

/** The telling part of a child's stderr: its FAIL or first error line, else the last lines. */
function tail(s) {
  const lines = s.trim().split('\n')
  const key = lines.find((l) => /^FAIL |^\w*Error\b|^Error:|ERR_|E[A-Z]{3,}/.test(l.trim()))
  return (key ? key.trim() : lines.slice(-3).join(' | ')).slice(0, 300) || '(no stderr)'
}

function resultOf(p, res, who) {
  if (res.code !== 0) throw new Error(`${who} exited ${res.code}: ${tail(p.err)}`)
  const line = p.out.trim().split('\n').pop()
  try {
    return JSON.parse(line)
  } catch {
    throw new Error(`${who}: no JSON result (${line?.slice(0, 100)})`)
  }
}

let tmpdir
let unixSeq = 0

/** Runs one cell; returns metric values, or throws with the reason. */
async function runCell(wl, impl) {
  const prog = { stream: 'stream', bulk: 'stream', udp: 'udp', blast: 'udp', percall: 'percall' }[wl.kind]
  const cmd = impl.cmd(prog)
  if (!cmd) return null // n/a
  const { warm, dur } = opts
  const limit = warm + dur + 30
  if (wl.kind === 'percall') {
    const p = start([...cmd, String(warm), String(dur), wl.how], wl.pin)
    const r = resultOf(p, await within(limit, p.done, [p], 'percall'), 'percall')
    if (!(r.ops > 0 && r.secs > 0)) throw new Error(`bad result ${JSON.stringify(r)}`)
    return { pairs: r.ops / r.secs }
  }
  const where = wl.fam === 'unix' ? path.join(tmpdir, `s${unixSeq++}.sock`) : '0'
  const streamish = wl.kind === 'stream' || wl.kind === 'bulk'
  const serverRole = { stream: 'echo', bulk: 'sink', udp: 'echo', blast: 'sink' }[wl.kind]
  const server = start([...cmd, serverRole, ...(streamish ? [wl.fam, where] : [])], wl.pin)
  let client
  try {
    const port = await within(20, waitReady(server), [server], 'server start')
    const dest = streamish ? [wl.fam, wl.fam === 'unix' ? where : String(port)] : [String(port)]
    const args = {
      stream: ['pp', ...dest, wl.depth, warm, dur],
      bulk: ['bulk', ...dest, warm, dur, BULK_MIN_MIB],
      udp: ['pp', ...dest, wl.depth, warm, dur],
      blast: ['blast', ...dest, warm, dur],
    }[wl.kind]
    // W3r: every receiver is fed by the C blaster, so it runs at its own capacity.
    const clientCmd = wl.cSender ? C_IMPL.cmd(prog) : cmd
    client = start([...clientCmd, ...args.map(String)], wl.pin)
    // A server that dies early would leave the client waiting: fail the cell at once.
    const serverDied = server.done.then((r) => (r.code === 0 ? new Promise(() => {}) : Promise.reject(new Error(`server exited ${r.code}: ${tail(server.err)}`))))
    const cres = await within(limit, Promise.race([client.done, serverDied]), [client, server], 'client')
    const c = resultOf(client, cres, 'client')
    const sres = await within(5, server.done, [server], 'server exit')
    const s = resultOf(server, sres, 'server')
    switch (wl.kind) {
      case 'stream':
        if (s.bytes !== c.total * MSG) throw new Error(`server echoed ${s.bytes} bytes, client sent ${c.total * MSG}`)
        if (!(c.ops > 0 && c.secs > 0)) throw new Error(`bad result ${JSON.stringify(c)}`)
        return { rt: c.ops / c.secs }
      case 'bulk':
        if (s.bytes !== c.total) throw new Error(`sink got ${s.bytes} bytes, client sent ${c.total}`)
        if (!(c.bytes >= BULK_MIN_MIB * 1048576 && c.secs > 0)) throw new Error(`bad result ${JSON.stringify(c)}`)
        return { mibs: c.bytes / 1048576 / c.secs }
      case 'udp':
        if (s.msgs !== c.total) throw new Error(`server echoed ${s.msgs} datagrams, client sent ${c.total}`)
        if (!(c.ops > 0 && c.secs > 0)) throw new Error(`bad result ${JSON.stringify(c)}`)
        return { rt: c.ops / c.secs }
      case 'blast':
        if (s.bad !== 0) throw new Error(`${s.bad} datagrams of the wrong size`)
        if (!(s.recvd > 0 && s.recvd <= c.sent && s.secs > 0 && c.secs > 0)) {
          throw new Error(`received ${s.recvd} of ${c.sent} datagrams`)
        }
        return { sent: c.sent / c.secs, recv: s.recvd / s.secs, loss: (1 - s.recvd / c.sent) * 100 }
    }
    throw new Error(`unknown kind ${wl.kind}`)
  } finally {
    killGroup(server.child)
    if (client) killGroup(client.child)
    if (wl.fam === 'unix') fs.rmSync(where, { force: true })
  }
}

// ---- machine info ----------------------------------------------------------------

const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch (e) {
    return `(${cmd} failed: ${String(e.message).split('\n')[0]})`
  }
}
const readOr = (f, dflt = '(unavailable)') => {
  try {
    return fs.readFileSync(f, 'utf8').trim()
  } catch {
    return dflt
  }
}
const pressure = () => readOr('/proc/pressure/cpu').split('\n')[0]

function machine() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
  return {
    nproc: sh('nproc', []),
    cpu: os.cpus()[0]?.model ?? '?',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    python: sh('python3', ['--version']),
    gcc: sh('gcc', ['--version']).split('\n')[0],
    clocksource: readOr('/sys/devices/system/clocksource/clocksource0/current_clocksource'),
    rmem_default: readOr('/proc/sys/net/core/rmem_default'),
    package: `${pkg.name} ${pkg.version} @ ${sh('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'])}${
      sh('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) ? ' (+ uncommitted changes)' : ''
    }`,
  }
}

// ---- statistics and formatting -------------------------------------------------------

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}

function fmt(v, unit) {
  if (!Number.isFinite(v)) return '–'
  if (unit === '% lost') return `${v.toFixed(1)} %`
  if (unit === 'MiB/s') return v >= 100 ? v.toFixed(0) : v.toFixed(1)
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`
  if (v >= 1e3) return `${(v / 1e3).toFixed(v >= 1e5 ? 0 : 1)}k`
  return v.toFixed(0)
}
const fr = (r) => (Number.isFinite(r) ? r.toFixed(2) : '–')

// ---- main --------------------------------------------------------------------------

function compile() {
  fs.mkdirSync(BUILD, { recursive: true })
  for (const prog of ['stream', 'udp', 'percall']) {
    execFileSync('gcc', ['-O2', '-Wall', '-o', path.join(BUILD, prog), path.join(BENCH, 'c', `${prog}.c`)], {
      stdio: 'inherit',
    })
  }
}

async function main() {
  const t0 = Date.now()
  const elapsed = () => (Date.now() - t0) / 1000
  const stamp = new Date()
  const info = machine()
  const pressureStart = pressure()
  const loadStart = os.loadavg().map((x) => x.toFixed(2)).join(' ')
  compile()
  tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsd-bench-'))
  const log = (s) => process.stderr.write(s)
  log(`bench ${opts.quick ? 'quick' : 'full'}: warm ${opts.warm} s, measure ${opts.dur} s per cell, up to ${opts.rounds} rounds, budget ${opts.budget} s\n`)

  // raw[wl][impl][metric] = values per round; errors[wl][impl] = [messages]; ratios per round for targets
  const raw = {}
  const errors = {}
  const perRound = [] // perRound[r][wl][impl] = values
  const rssReserve = opts.rss ? (opts.quick ? 15 : 25) : 0
  let rounds = 0
  for (let r = 0; r < opts.rounds; r++) {
    const rt0 = elapsed()
    const round = {}
    for (const wl of WORKLOADS) {
      round[wl.id] = {}
      const order = IMPLS.map((_, i) => IMPLS[(i + r + WORKLOADS.indexOf(wl)) % IMPLS.length])
      for (const impl of order) {
        let values
        try {
          values = await runCell(wl, impl)
        } catch (e) {
          ;((errors[wl.id] ??= {})[impl.id] ??= []).push(e.message)
          log(`  r${r + 1} ${wl.id} ${impl.id}: ERROR ${e.message}\n`)
          continue
        }
        if (values === null) continue
        values = Object.fromEntries(Object.entries(values).filter(([m]) => m in wl.metrics))
        round[wl.id][impl.id] = values
        for (const [m, v] of Object.entries(values)) (((raw[wl.id] ??= {})[impl.id] ??= {})[m] ??= []).push(v)
        log(
          `  r${r + 1} ${wl.id.padEnd(4)} ${impl.id.padEnd(5)} ${Object.entries(values)
            .map(([m, v]) => `${m}=${fmt(v, wl.metrics[m].unit)}`)
            .join(' ')}\n`,
        )
      }
    }
    perRound.push(round)
    rounds++
    const took = elapsed() - rt0
    log(`round ${rounds} took ${took.toFixed(0)} s (total ${elapsed().toFixed(0)} s)\n`)
    if (rounds >= opts.minRounds && elapsed() + took * 1.1 + rssReserve > opts.budget) break
  }

  // RSS over a 1M-op async run
  const rss = []
  if (opts.rss && IMPLS.some((i) => i.id === 'async')) {
    for (const kind of ['pair', 'echo32']) {
      const p = start([process.execPath, path.join(BENCH, 'bsd', 'rss.mjs'), kind, String(RSS_OPS)], false)
      try {
        const r = resultOf(p, await within(180, p.done, [p], `rss ${kind}`), `rss ${kind}`)
        const later = r.samples.filter(([n]) => n >= 100_000).map(([, b]) => b)
        rss.push({ kind, samples: r.samples, secs: r.secs, spread: Math.max(...later) - Math.min(...later) })
        log(`  rss ${kind}: max−min ${((Math.max(...later) - Math.min(...later)) / 2 ** 20).toFixed(1)} MB in ${r.secs.toFixed(1)} s\n`)
      } catch (e) {
        rss.push({ kind, error: e.message })
        log(`  rss ${kind}: ERROR ${e.message}\n`)
      }
    }
  }
  fs.rmSync(tmpdir, { recursive: true, force: true })

  // ---- report ----
  const med = (wl, impl, m) => median(raw[wl]?.[impl]?.[m] ?? [])
  const lines = []
  const mode = opts.quick ? 'quick' : 'full'
  lines.push(`# bsd-sockets benchmark — ${mode} run, ${stamp.toISOString().replace(/\.\d+Z$/, 'Z')}`, '')
  lines.push(
    `${rounds} interleaved rounds in ${elapsed().toFixed(0)} s; per cell ${opts.warm} s warm-up + ${opts.dur} s measured` +
      ` (TCP bulk: at least ${BULK_MIN_MIB} MiB measured); medians over rounds. "pinned": both processes on CPU 0 (taskset).`,
    '',
    `Each cell: \`absolute (ratio to C / ratio to Node)\`, ratios of medians from this run. Higher is better except loss.`,
    '',
  )
  const head = ['workload', 'unit', ...IMPLS.map((i) => i.label)]
  lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`)
  const rowsSpread = []
  for (const wl of WORKLOADS) {
    for (const [m, meta] of Object.entries(wl.metrics)) {
      const name = `${wl.id} ${meta.label ?? wl.label}`
      const cells = IMPLS.map((impl) => {
        const cmdNA = impl.cmd({ stream: 'stream', bulk: 'stream', udp: 'udp', blast: 'udp', percall: 'percall' }[wl.kind]) === null
        if (cmdNA) return 'n/a'
        const v = med(wl.id, impl.id, m)
        const nerr = errors[wl.id]?.[impl.id]?.length ?? 0
        if (!Number.isFinite(v)) return nerr ? 'ERROR' : '–'
        let s = fmt(v, meta.unit)
        if (!meta.noRatio) s += ` (${fr(v / med(wl.id, 'c', m))} / ${fr(v / med(wl.id, 'node', m))})`
        if (nerr) s += ` ⚠${nerr} ERROR`
        return s
      })
      lines.push(`| ${name} | ${meta.unit} | ${cells.join(' | ')} |`)
      rowsSpread.push(
        `| ${wl.id} ${m} | ${IMPLS.map((impl) => {
          const xs = raw[wl.id]?.[impl.id]?.[m] ?? []
          return xs.length ? `${fmt(Math.min(...xs), meta.unit)}–${fmt(Math.max(...xs), meta.unit)} (n=${xs.length})` : '–'
        }).join(' | ')} |`,
      )
    }
  }

  lines.push('', '## Targets (issue 3), ratio of medians to C in this run', '')
  lines.push('| target | measured | per-round ratios (min–max) | ratio to Node | status |', '|---|---:|---:|---:|---|')
  const targetResults = []
  for (const t of TARGETS) {
    if (!WORKLOADS.some((w) => w.id === t.wl)) continue
    const ratio = med(t.wl, t.impl, t.m) / med(t.wl, 'c', t.m)
    const rs = perRound
      .map((rd) => rd[t.wl]?.[t.impl]?.[t.m] / rd[t.wl]?.c?.[t.m])
      .filter(Number.isFinite)
    const vsNode = med(t.wl, t.impl, t.m) / med(t.wl, 'node', t.m)
    const status = !Number.isFinite(ratio) ? 'no data' : ratio >= t.min ? 'met' : 'missed'
    targetResults.push({ ...t, ratio, status })
    lines.push(
      `| ${t.what} (${t.wl}) | ${fr(ratio)}× | ${rs.length ? `${fr(Math.min(...rs))}–${fr(Math.max(...rs))}` : '–'} | ${Number.isFinite(vsNode) ? `${fr(vsNode)}×` : '–'} | ${status === 'met' ? '**met**' : status} |`,
    )
  }
  for (const r of rss) {
    if (r.error) {
      lines.push(`| RSS flat within 16 MB over 1M async ops (${r.kind}) | ERROR | | | ERROR: ${r.error} |`)
      continue
    }
    const mb = r.spread / 2 ** 20
    lines.push(`| RSS flat within 16 MB over 1M async ops (${r.kind}) | ${mb.toFixed(1)} MB | | | ${mb <= 16 ? '**met**' : 'missed'} |`)
    targetResults.push({ what: `RSS ${r.kind}`, mb, status: mb <= 16 ? 'met' : 'missed' })
  }
  if (rss.length) {
    lines.push('', '## RSS over 1M async ops (bsd-sockets async), MB at every 100k ops', '')
    for (const r of rss) {
      if (r.error) continue
      lines.push(
        `- ${r.kind} (${r.secs.toFixed(1)} s): ${r.samples.map(([, b]) => (b / 2 ** 20).toFixed(1)).join(', ')}` +
          ` → max−min after 100k: ${(r.spread / 2 ** 20).toFixed(1)} MB`,
      )
    }
    lines.push(
      '',
      '`pair`: `await a.send(64 B); await b.recv(64)` on a socketpair. `echo32`: one process, an async echo loop on one end, a client with 32 messages in flight on the other (every recv that finds nothing waits on the event loop).',
    )
  }

  lines.push('', '## Spread (min–max over rounds)', '')
  lines.push(`| cell | ${IMPLS.map((i) => i.label).join(' | ')} |`, `|---|${IMPLS.map(() => '---:').join('|')}|`)
  lines.push(...rowsSpread)

  const errList = Object.entries(errors).flatMap(([wl, byImpl]) =>
    Object.entries(byImpl).map(([impl, msgs]) => `- ${wl} ${impl}: ${msgs.length}× — ${[...new Set(msgs)].slice(0, 2).join(' ‖ ')}`),
  )
  if (errList.length) lines.push('', '## Failures', '', ...errList)

  lines.push('', '## Machine', '')
  lines.push(
    `- nproc ${info.nproc}; CPU ${info.cpu}; ${info.kernel}; clocksource ${info.clocksource}; net.core.rmem_default ${info.rmem_default}`,
    `- node ${info.node}; ${info.python}; ${info.gcc} (-O2)`,
    `- ${info.package}`,
    `- CPU pressure (/proc/pressure/cpu) at start: \`${pressureStart}\`; at end: \`${pressure()}\``,
    `- load average at start: ${loadStart}; at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
    `- command: \`node bench/run.mjs ${process.argv.slice(2).join(' ')}\``,
  )
  const md = `${lines.join('\n')}\n`

  const resultsDir = path.join(BENCH, 'results')
  fs.mkdirSync(resultsDir, { recursive: true })
  const pad = (n) => String(n).padStart(2, '0')
  const name = `${stamp.getFullYear()}-${pad(stamp.getMonth() + 1)}-${pad(stamp.getDate())}-${pad(stamp.getHours())}${pad(stamp.getMinutes())}-${mode}`
  const out = opts.out ?? path.join(resultsDir, `${name}.md`)
  fs.writeFileSync(out, md)
  fs.writeFileSync(out.replace(/\.md$/, '') + '.json', JSON.stringify({ opts, info, rounds, raw, errors, perRound, rss, targets: targetResults }, null, 1))
  process.stdout.write(md)
  log(`\nwritten to ${path.relative(ROOT, out)} (+ .json with every round's figures)\n`)
}

main().catch((e) => {
  for (const c of live) killGroup(c)
  console.error(e)
  process.exit(1)
})
