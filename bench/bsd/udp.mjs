// UDP workloads over 127.0.0.1 with bsd-sockets; same roles and output as bench/c/udp.c.
//   udp.mjs sync|async echo
//   udp.mjs sync|async pp    PORT DEPTH WARM DUR
//   udp.mjs sync|async sink
//   udp.mjs sync|async blast PORT WARM DUR
// Sync receivers end on a kernel receive timeout (SO_RCVTIMEO, as in C); async ones on a
// watchdog that closes the socket when nothing arrived for a while (the pending recv then
// rejects with EBADF), so no per-call timeout is paid.
import { bsd, fail, mode, now, timeval, MSG } from './lib.mjs'

const { socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_RCVTIMEO } = bsd
const [api, role, ...rest] = process.argv.slice(2)
const HOST = '127.0.0.1'

function bound(idleSecs) {
  const s = socket(AF_INET, SOCK_DGRAM)
  s.bind([HOST, 0])
  if (api === 'sync') s.setsockopt(SOL_SOCKET, SO_RCVTIMEO, timeval(idleSecs))
  console.log(`READY ${s.getsockname()[1]}`)
  return s
}
const timedOut = (e) => e?.code === 'EAGAIN'

/** Async: closes `s` once nothing arrived for `secs`; `touch()` on every arrival. */
function watchdog(s, secs, onIdle = () => s.close()) {
  let last = now()
  const timer = setInterval(() => {
    if (now() - last > secs) {
      clearInterval(timer)
      onIdle()
    }
  }, (secs * 1000) / 4)
  return { touch: () => void (last = now()), stop: () => clearInterval(timer) }
}
const closedUnder = (s, e) => s.closed && e?.code === 'EBADF'

// ---- sync ------------------------------------------------------------------------

const sync = {
  echo() {
    const s = bound(5)
    let msgs = 0
    for (;;) {
      let d, addr
      try {
        ;[d, addr] = s.recvfromSync(2048)
      } catch (e) {
        if (timedOut(e)) break
        throw e
      }
      if (d[0] === 0x45) break // 'E'
      s.sendtoSync(d, addr)
      msgs++
    }
    console.log(JSON.stringify({ msgs }))
  },
  pp(port, depth, warm, dur) {
    const s = socket(AF_INET, SOCK_DGRAM)
    s.setsockopt(SOL_SOCKET, SO_RCVTIMEO, timeval(2))
    const to = [HOST, port]
    const msg = Buffer.alloc(MSG, 'x')
    let sent = 0, done = 0, d0 = 0, d1 = 0, phase = 0, sending = true, t0 = 0, t1 = 0
    const tw = now() + warm
    for (let i = 0; i < depth; i++, sent++) s.sendtoSync(msg, to)
    while (done < sent) {
      let d
      try {
        ;[d] = s.recvfromSync(2048)
      } catch (e) {
        if (timedOut(e)) fail('reply lost (2 s timeout)')
        throw e
      }
      if (d.length !== MSG) fail('reply size')
      done++
      if (sending) {
        s.sendtoSync(msg, to)
        sent++
      }
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, d0 = done
      } else if (phase === 1 && t >= t0 + dur) {
        phase = 2, t1 = t, d1 = done, sending = false
      }
    }
    const end = Buffer.alloc(MSG, 'E')
    for (let i = 0; i < 3; i++) s.sendtoSync(end, to)
    s.close()
    console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0, total: sent }))
  },
  sink() {
    const s = bound(1.5)
    let recvd = 0, warm = 0, bad = 0, first = 0, last = 0
    for (;;) {
      let d
      try {
        d = s.recvSync(2048)
      } catch (e) {
        if (timedOut(e)) break
        throw e
      }
      if (d.length !== MSG) {
        bad++
        continue
      }
      const c = d[0]
      if (c === 0x45) break // 'E'
      if (c === 0x57) {
        warm++ // 'W'
        continue
      }
      last = now()
      if (recvd++ === 0) first = last
    }
    s.close()
    console.log(JSON.stringify({ recvd, secs: last - first, warm, bad }))
  },
  blast(port, warm, dur) {
    const s = socket(AF_INET, SOCK_DGRAM)
    const to = [HOST, port]
    let msg = Buffer.alloc(MSG, 'W')
    let total = 0, s0 = 0, s1 = 0, phase = 0, t0 = 0, t1 = 0
    const tw = now() + warm
    while (phase < 2) {
      s.sendtoSync(msg, to)
      total++
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, s0 = total, msg = Buffer.alloc(MSG, 'D')
      } else if (phase === 1 && t >= t0 + dur) {
        phase = 2, t1 = t, s1 = total
      }
    }
    const end = Buffer.alloc(MSG, 'E')
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    for (let i = 0; i < 5; i++) {
      s.sendtoSync(end, to)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
    }
    s.close()
    console.log(JSON.stringify({ sent: s1 - s0, secs: t1 - t0, total }))
  },
}

// ---- async -----------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const async_ = {
  async echo() {
    const s = bound(5)
    const w = watchdog(s, 5)
    let msgs = 0
    for (;;) {
      let d, addr
      try {
        ;[d, addr] = await s.recvfrom(2048)
      } catch (e) {
        if (closedUnder(s, e)) break
        throw e
      }
      w.touch()
      if (d[0] === 0x45) break // 'E'
      await s.sendto(d, addr)
      msgs++
    }
    w.stop()
    s.close()
    console.log(JSON.stringify({ msgs }))
  },
  async pp(port, depth, warm, dur) {
    const s = socket(AF_INET, SOCK_DGRAM)
    const w = watchdog(s, 2, () => fail('reply lost (2 s timeout)'))
    const to = [HOST, port]
    const msg = Buffer.alloc(MSG, 'x')
    let sent = 0, done = 0, d0 = 0, d1 = 0, phase = 0, sending = true, t0 = 0, t1 = 0
    const tw = now() + warm
    for (let i = 0; i < depth; i++, sent++) await s.sendto(msg, to)
    while (done < sent) {
      const [d] = await s.recvfrom(2048)
      w.touch()
      if (d.length !== MSG) fail('reply size')
      done++
      if (sending) {
        await s.sendto(msg, to)
        sent++
      }
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, d0 = done
      } else if (phase === 1 && t >= t0 + dur) {
        phase = 2, t1 = t, d1 = done, sending = false
      }
    }
    w.stop()
    const end = Buffer.alloc(MSG, 'E')
    for (let i = 0; i < 3; i++) await s.sendto(end, to)
    s.close()
    console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0, total: sent }))
  },
  async sink() {
    const s = bound(1.5)
    const w = watchdog(s, 1.5)
    let recvd = 0, warm = 0, bad = 0, first = 0, last = 0
    for (;;) {
      let d
      try {
        d = await s.recv(2048)
      } catch (e) {
        if (closedUnder(s, e)) break
        throw e
      }
      w.touch()
      if (d.length !== MSG) {
        bad++
        continue
      }
      const c = d[0]
      if (c === 0x45) break // 'E'
      if (c === 0x57) {
        warm++ // 'W'
        continue
      }
      last = now()
      if (recvd++ === 0) first = last
    }
    w.stop()
    s.close()
    console.log(JSON.stringify({ recvd, secs: last - first, warm, bad }))
  },
  async blast(port, warm, dur) {
    const s = socket(AF_INET, SOCK_DGRAM)
    const to = [HOST, port]
    let msg = Buffer.alloc(MSG, 'W')
    let total = 0, s0 = 0, s1 = 0, phase = 0, t0 = 0, t1 = 0
    const tw = now() + warm
    while (phase < 2) {
      await s.sendto(msg, to)
      total++
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, s0 = total, msg = Buffer.alloc(MSG, 'D')
      } else if (phase === 1 && t >= t0 + dur) {
        phase = 2, t1 = t, s1 = total
      }
    }
    const end = Buffer.alloc(MSG, 'E')
    await sleep(50)
    for (let i = 0; i < 5; i++, await sleep(10)) await s.sendto(end, to)
    s.close()
    console.log(JSON.stringify({ sent: s1 - s0, secs: t1 - t0, total }))
  },
}

const impl = mode(api) === 'sync' ? sync : async_
if (!(role in impl)) fail('usage')
Promise.resolve(impl[role](...rest.map(Number))).catch((e) => fail(e.stack ?? e))
