// UDP workloads over 127.0.0.1 with Node's `dgram`; same roles and output as bench/c/udp.c.
//   udp.mjs echo
//   udp.mjs pp    PORT DEPTH WARM DUR
//   udp.mjs sink
//   udp.mjs blast PORT WARM DUR        (one send in flight: the next goes from the previous one's callback)
import dgram from 'node:dgram'
import { performance } from 'node:perf_hooks'

const MSG = 64
const HOST = '127.0.0.1'
const now = () => performance.now() / 1000
const fail = (what) => {
  console.error(`FAIL ${what}`)
  process.exit(1)
}
const [role, ...rest] = process.argv.slice(2)

/** Calls `onIdle` once nothing arrived for `secs` (checked 4× per period). Returns `touch`. */
function idle(secs, onIdle) {
  let last = now()
  const timer = setInterval(() => {
    if (now() - last > secs) {
      clearInterval(timer)
      onIdle()
    }
  }, (secs * 1000) / 4)
  return {
    touch: () => {
      last = now()
    },
    stop: () => clearInterval(timer),
  }
}

function bound(onReady) {
  const s = dgram.createSocket('udp4')
  s.on('error', (e) => fail(e.message))
  s.bind(0, HOST, () => {
    console.log(`READY ${s.address().port}`)
    onReady?.()
  })
  return s
}

function echo() {
  const s = bound()
  let msgs = 0
  const finish = () => {
    w.stop()
    s.close()
    console.log(JSON.stringify({ msgs }))
  }
  const w = idle(5, finish)
  s.on('message', (m, r) => {
    w.touch()
    if (m[0] === 0x45) return finish() // 'E'
    s.send(m, r.port, r.address)
    msgs++
  })
}

function pp(port, depth, warm, dur) {
  const s = dgram.createSocket('udp4')
  s.on('error', (e) => fail(e.message))
  const msg = Buffer.alloc(MSG, 'x')
  let sent = 0, done = 0, d0 = 0, d1 = 0, phase = 0, sending = true, t0 = 0, t1 = 0
  const tw = now() + warm
  const w = idle(2, () => fail('reply lost (2 s timeout)'))
  s.on('message', (m) => {
    w.touch()
    if (m.length !== MSG) fail('reply size')
    done++
    if (sending) {
      s.send(msg, port, HOST)
      sent++
    }
    const t = now()
    if (phase === 0 && t >= tw) {
      phase = 1, t0 = t, d0 = done
    } else if (phase === 1 && t >= t0 + dur) {
      phase = 2, t1 = t, d1 = done, sending = false
    }
    if (!sending && done === sent) {
      w.stop()
      const end = Buffer.alloc(MSG, 'E')
      let n = 0
      const more = () => (++n < 3 ? s.send(end, port, HOST, more) : s.close())
      s.send(end, port, HOST, more)
      console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0, total: sent }))
    }
  })
  s.bind(0, HOST, () => {
    for (let i = 0; i < depth; i++, sent++) s.send(msg, port, HOST)
  })
}

function sink() {
  const s = bound()
  let recvd = 0, warm = 0, bad = 0, first = 0, last = 0
  const finish = () => {
    w.stop()
    s.close()
    console.log(JSON.stringify({ recvd, secs: last - first, warm, bad }))
  }
  const w = idle(1.5, finish)
  s.on('message', (m) => {
    w.touch()
    if (m.length !== MSG) return void bad++
    const c = m[0]
    if (c === 0x45) return finish() // 'E'
    if (c === 0x57) return void warm++ // 'W'
    last = now()
    if (recvd++ === 0) first = last
  })
}

function blast(port, warm, dur) {
  const s = dgram.createSocket('udp4')
  s.on('error', (e) => fail(e.message))
  const W = Buffer.alloc(MSG, 'W')
  const D = Buffer.alloc(MSG, 'D')
  const E = Buffer.alloc(MSG, 'E')
  let msg = W, total = 0, s0 = 0, s1 = 0, phase = 0, t0 = 0, t1 = 0
  const tw = now() + warm
  const next = (err) => {
    if (err) fail(err.message)
    const t = now()
    if (phase === 0 && t >= tw) {
      phase = 1, t0 = t, s0 = total, msg = D
    } else if (phase === 1 && t >= t0 + dur) {
      phase = 2, t1 = t, s1 = total
      return void setTimeout(finish, 50)
    }
    total++
    s.send(msg, port, HOST, next)
  }
  let n = 0
  const finish = () => {
    if (n++ < 5) return void s.send(E, port, HOST, () => setTimeout(finish, 10))
    s.close()
    console.log(JSON.stringify({ sent: s1 - s0, secs: t1 - t0, total }))
  }
  s.bind(0, HOST, () => next())
}

if (role === 'echo') echo()
else if (role === 'sink') sink()
else if (role === 'pp') pp(Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3]))
else if (role === 'blast') blast(Number(rest[0]), Number(rest[1]), Number(rest[2]))
else fail('usage')
