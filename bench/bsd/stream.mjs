// Stream (TCP / AF_UNIX) workloads with bsd-sockets; same roles and output as bench/c/stream.c.
//   stream.mjs sync|async echo  tcp|unix PORT|PATH
//   stream.mjs sync|async sink  tcp|unix PORT|PATH
//   stream.mjs sync|async pp    tcp|unix PORT|PATH DEPTH WARM DUR
//   stream.mjs sync|async bulk  tcp|unix PORT|PATH WARM DUR MINMIB
// The sync and async versions are the same code, one with `*Sync` calls, one with `await`.
import { bsd, fail, mode, now, MSG } from './lib.mjs'

const { socket, AF_INET, AF_UNIX, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY, SHUT_WR } = bsd
const [api, role, kind, where, ...rest] = process.argv.slice(2)
const tcp = kind === 'tcp'
const fam = tcp ? AF_INET : AF_UNIX
const addr = tcp ? ['127.0.0.1', Number(where)] : where

function listener() {
  const l = socket(fam, SOCK_STREAM)
  l.bind(addr)
  l.listen(16)
  console.log(`READY ${tcp ? l.getsockname()[1] : 0}`)
  return l
}
const nodelay = (s) => tcp && s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1)

// ---- sync ------------------------------------------------------------------------

const sync = {
  echo() {
    const l = listener()
    const [c] = l.acceptSync()
    l.close()
    nodelay(c)
    let bytes = 0
    for (;;) {
      const d = c.recvSync(4096)
      if (d.length === 0) break
      c.sendallSync(d)
      bytes += d.length
    }
    c.close()
    console.log(JSON.stringify({ bytes }))
  },
  sink() {
    const l = listener()
    const [c] = l.acceptSync()
    l.close()
    const buf = Buffer.allocUnsafe(65536)
    let bytes = 0
    for (;;) {
      const n = c.recvIntoSync(buf)
      if (n === 0) break
      bytes += n
    }
    c.sendallSync(`${bytes}\n`)
    c.close()
    console.log(JSON.stringify({ bytes }))
  },
  pp(depth, warm, dur) {
    const s = socket(fam, SOCK_STREAM)
    nodelay(s)
    s.connectSync(addr)
    const msg = Buffer.alloc(MSG, 'x')
    let sent = 0, done = 0, got = 0, d0 = 0, d1 = 0, phase = 0, sending = true, t0 = 0, t1 = 0
    const tw = now() + warm
    for (let i = 0; i < depth; i++, sent++) s.sendallSync(msg)
    while (done < sent) {
      const d = s.recvSync(4096)
      if (d.length === 0) fail('early EOF')
      got += d.length
      const complete = Math.floor(got / MSG)
      while (done < complete) {
        done++
        if (sending) {
          s.sendallSync(msg)
          sent++
        }
      }
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, d0 = done
      } else if (phase === 1 && t >= t0 + dur) {
        phase = 2, t1 = t, d1 = done, sending = false
      }
    }
    if (got !== sent * MSG) fail('byte count')
    s.shutdown(SHUT_WR)
    if (s.recvSync(4096).length !== 0) fail('expected EOF')
    s.close()
    console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0, total: sent }))
  },
  bulk(warm, dur, minmib) {
    const s = socket(fam, SOCK_STREAM)
    s.connectSync(addr)
    const buf = Buffer.alloc(65536, 'b')
    const need = minmib * 1048576
    let total = 0, b0 = 0, b1 = 0, phase = 0, t0 = 0, t1 = 0
    const tw = now() + warm
    while (phase < 2) {
      s.sendallSync(buf)
      total += buf.length
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, b0 = total
      } else if (phase === 1 && t >= t0 + dur && total - b0 >= need) {
        phase = 2, t1 = t, b1 = total
      }
    }
    s.shutdown(SHUT_WR)
    let ack = ''
    for (let d; (d = s.recvSync(64)).length > 0; ) ack += d
    if (Number(ack) !== total) fail('sink byte count')
    s.close()
    console.log(JSON.stringify({ bytes: b1 - b0, secs: t1 - t0, total }))
  },
}

// ---- async -----------------------------------------------------------------------

const async_ = {
  async echo() {
    const l = listener()
    const [c] = await l.accept()
    l.close()
    nodelay(c)
    let bytes = 0
    for (;;) {
      const d = await c.recv(4096)
      if (d.length === 0) break
      await c.sendall(d)
      bytes += d.length
    }
    c.close()
    console.log(JSON.stringify({ bytes }))
  },
  async sink() {
    const l = listener()
    const [c] = await l.accept()
    l.close()
    const buf = Buffer.allocUnsafe(65536)
    let bytes = 0
    for (;;) {
      const n = await c.recvInto(buf)
      if (n === 0) break
      bytes += n
    }
    await c.sendall(`${bytes}\n`)
    c.close()
    console.log(JSON.stringify({ bytes }))
  },
  async pp(depth, warm, dur) {
    const s = socket(fam, SOCK_STREAM)
    nodelay(s)
    await s.connect(addr)
    const msg = Buffer.alloc(MSG, 'x')
    let sent = 0, done = 0, got = 0, d0 = 0, d1 = 0, phase = 0, sending = true, t0 = 0, t1 = 0
    const tw = now() + warm
    for (let i = 0; i < depth; i++, sent++) await s.sendall(msg)
    while (done < sent) {
      const d = await s.recv(4096)
      if (d.length === 0) fail('early EOF')
      got += d.length
      const complete = Math.floor(got / MSG)
      while (done < complete) {
        done++
        if (sending) {
          await s.sendall(msg)
          sent++
        }
      }
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, d0 = done
      } else if (phase === 1 && t >= t0 + dur) {
        phase = 2, t1 = t, d1 = done, sending = false
      }
    }
    if (got !== sent * MSG) fail('byte count')
    s.shutdown(SHUT_WR)
    if ((await s.recv(4096)).length !== 0) fail('expected EOF')
    s.close()
    console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0, total: sent }))
  },
  async bulk(warm, dur, minmib) {
    const s = socket(fam, SOCK_STREAM)
    await s.connect(addr)
    const buf = Buffer.alloc(65536, 'b')
    const need = minmib * 1048576
    let total = 0, b0 = 0, b1 = 0, phase = 0, t0 = 0, t1 = 0
    const tw = now() + warm
    while (phase < 2) {
      await s.sendall(buf)
      total += buf.length
      const t = now()
      if (phase === 0 && t >= tw) {
        phase = 1, t0 = t, b0 = total
      } else if (phase === 1 && t >= t0 + dur && total - b0 >= need) {
        phase = 2, t1 = t, b1 = total
      }
    }
    s.shutdown(SHUT_WR)
    let ack = ''
    for (let d; (d = await s.recv(64)).length > 0; ) ack += d
    if (Number(ack) !== total) fail('sink byte count')
    s.close()
    console.log(JSON.stringify({ bytes: b1 - b0, secs: t1 - t0, total }))
  },
}

const impl = mode(api) === 'sync' ? sync : async_
if (!(role in impl)) fail('usage')
Promise.resolve(impl[role](...rest.map(Number))).catch((e) => fail(e.stack ?? e))
