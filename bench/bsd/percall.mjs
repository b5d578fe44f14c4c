// Per-call overhead with bsd-sockets: send 64 B on one end of an AF_UNIX socketpair, recv
// it on the other (data always waiting, so async calls take their no-wait fast path).
//   percall.mjs sync|async WARM DUR recv|into
//     recv: sendSync + recvSync(64)          / await send + await recv(64)
//     into: sendSync + recvIntoSync(buf, 64) / await send + await recvInto(buf, 64)
import { bsd, fail, mode, now, MSG } from './lib.mjs'

const [api, warmArg, durArg, how] = process.argv.slice(2)
const warm = Number(warmArg), dur = Number(durArg), into = how === 'into'
const [a, b] = bsd.socketpair()
const msg = Buffer.alloc(MSG, 'x')
const buf = Buffer.alloc(MSG)
let done = 0, d0 = 0, d1 = 0, phase = 0, t0 = 0, t1 = 0
const tw = now() + warm

function check() {
  done += 64
  const t = now()
  if (phase === 0 && t >= tw) {
    phase = 1, t0 = t, d0 = done
  } else if (phase === 1 && t >= t0 + dur) {
    phase = 2, t1 = t, d1 = done
  }
}

function runSync() {
  while (phase < 2) {
    for (let i = 0; i < 64; i++) {
      a.sendSync(msg)
      const n = into ? b.recvIntoSync(buf, MSG) : b.recvSync(MSG).length
      if (n !== MSG) fail('recv size')
    }
    check()
  }
}

async function runAsync() {
  while (phase < 2) {
    for (let i = 0; i < 64; i++) {
      await a.send(msg)
      const n = into ? await b.recvInto(buf, MSG) : (await b.recv(MSG)).length
      if (n !== MSG) fail('recv size')
    }
    check()
  }
}

Promise.resolve(mode(api) === 'sync' ? runSync() : runAsync())
  .then(() => {
    a.close()
    b.close()
    console.log(JSON.stringify({ ops: d1 - d0, secs: t1 - t0 }))
  })
  .catch((e) => fail(e.stack ?? e))
