// Stream (TCP / AF_UNIX) workloads with Node's `net`; same roles and output as bench/c/stream.c.
//   stream.mjs echo  tcp|unix PORT|PATH
//   stream.mjs sink  tcp|unix PORT|PATH
//   stream.mjs pp    tcp|unix PORT|PATH DEPTH WARM DUR
//   stream.mjs bulk  tcp|unix PORT|PATH WARM DUR MINMIB
import net from 'node:net'
import { performance } from 'node:perf_hooks'

const MSG = 64
const now = () => performance.now() / 1000
const fail = (what) => {
  console.error(`FAIL ${what}`)
  process.exit(1)
}
const [role, kind, where, ...rest] = process.argv.slice(2)
const tcp = kind === 'tcp'
const target = tcp ? { host: '127.0.0.1', port: Number(where) } : { path: where }

function serve(onConn) {
  const srv = net.createServer({ noDelay: tcp }, (c) => {
    srv.close()
    c.on('error', (e) => fail(e.message))
    onConn(c)
  })
  const ready = () => console.log(`READY ${tcp ? srv.address().port : 0}`)
  if (tcp) srv.listen(Number(where), '127.0.0.1', ready)
  else srv.listen(where, ready)
}

function echo() {
  serve((c) => {
    let bytes = 0
    c.on('data', (d) => {
      bytes += d.length
      c.write(d)
    })
    c.on('end', () => c.end())
    c.on('close', () => console.log(JSON.stringify({ bytes })))
  })
}

function sink() {
  serve((c) => {
    let bytes = 0
    c.on('data', (d) => {
      bytes += d.length
    })
    c.on('end', () => c.end(`${bytes}\n`))
    c.on('close', () => console.log(JSON.stringify({ bytes })))
  })
}

function pp(depth, warm, dur) {
  const s = net.connect({ ...target, noDelay: tcp })
  s.on('error', (e) => fail(e.message))
  const msg = Buffer.alloc(MSG, 'x')
  let sent = 0, done = 0, got = 0, d0 = 0, d1 = 0, phase = 0, sending = true
  const tw = now() + warm
  let t0 = 0, t1 = 0
  s.on('connect', () => {
    for (let i = 0; i < depth; i++, sent++) s.write(msg)
  })
  s.on('data', (d) => {
    if (!sending && done === sent) fail('unexpected data')
    got += d.length
    const complete = Math.floor(got / MSG)
    while (done < complete) {
      done++
      if (sending) {
        s.write(msg)
        sent++
      }
    }
    const t = now()
    if (phase === 0 && t >= tw) {
      phase = 1, t0 = t, d0 = done
    } else if (phase === 1 && t >= t0 + dur) {
      phase = 2, t1 = t, d1 = done, sending = false
    }
    if (!sending && done === sent) s.end()
  })
  s.on('end', () => {
    if (phase !== 2 || got !== sent * MSG) fail('byte count')
    console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0, total: sent }))
  })
}

function bulk(warm, dur, minmib) {
  const s = net.connect(target)
  s.on('error', (e) => fail(e.message))
  const buf = Buffer.alloc(65536, 'b')
  const need = minmib * 1048576
  let total = 0, b0 = 0, b1 = 0, phase = 0, t0 = 0, t1 = 0, ack = ''
  const tw = now() + warm
  const pump = () => {
    while (phase < 2) {
      const ok = s.write(buf)
      total += buf.length
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, b0 = total
      } else if (phase === 1 && t >= t0 + dur && total - b0 >= need) {
        phase = 2, t1 = t, b1 = total
      }
      if (!ok) return void s.once('drain', pump)
    }
    s.end()
  }
  s.on('connect', pump)
  s.on('data', (d) => {
    ack += d
  })
  s.on('end', () => {
    if (Number(ack) !== total) fail('sink byte count')
    console.log(JSON.stringify({ bytes: b1 - b0, secs: t1 - t0, total }))
  })
}

if (role === 'echo') echo()
else if (role === 'sink') sink()
else if (role === 'pp') pp(Number(rest[0]), Number(rest[1]), Number(rest[2]))
else if (role === 'bulk') bulk(Number(rest[0]), Number(rest[1]), Number(rest[2]))
else fail('usage')
