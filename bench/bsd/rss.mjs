// RSS over a long async run: process.memoryUsage().rss sampled every 100k ops.
//   rss.mjs pair   OPS   await a.send(64 B); await b.recv(64) on a socketpair (data always ready:
//                        the fast path, with the forced yield every few hundred calls)
//   rss.mjs echo32 OPS   in one process, an async echo loop on one end and a client keeping
//                        32 messages in flight on the other: every recv that finds nothing
//                        waits on the event loop (the readiness path)
// Prints {"samples":[[ops, rssBytes], ...], "secs": …}; the driver reports max−min of the
// samples taken after the first 100k ops.
import { bsd, fail, MSG, now } from './lib.mjs'

const [kind, opsArg] = process.argv.slice(2)
const OPS = Number(opsArg ?? 1e6)
const EVERY = 100_000
const samples = [[0, process.memoryUsage().rss]]
const sample = (n) => {
  if (n % EVERY === 0) samples.push([n, process.memoryUsage().rss])
}
const msg = Buffer.alloc(MSG, 'x')

async function pair() {
  const [a, b] = bsd.socketpair()
  for (let i = 1; i <= OPS; i++) {
    await a.send(msg)
    if ((await b.recv(MSG)).length !== MSG) fail('recv size')
    sample(i)
  }
  a.close()
  b.close()
}

async function echo32() {
  const [a, b] = bsd.socketpair()
  const server = (async () => {
    for (;;) {
      const d = await b.recv(4096)
      if (d.length === 0) break
      await b.sendall(d)
    }
    b.close()
  })()
  let sent = 0, done = 0, got = 0
  for (; sent < 32; sent++) await a.sendall(msg)
  while (done < OPS) {
    const d = await a.recv(4096)
    if (d.length === 0) fail('early EOF')
    got += d.length
    const complete = Math.floor(got / MSG)
    while (done < complete) {
      done++
      sample(done)
      if (sent < OPS) {
        await a.sendall(msg)
        sent++
      }
    }
  }
  if (got !== OPS * MSG) fail('byte count')
  a.shutdown(bsd.SHUT_WR)
  await server
  a.close()
}

const t = now()
const run = kind === 'pair' ? pair : kind === 'echo32' ? echo32 : () => fail('usage')
run()
  .then(() => console.log(JSON.stringify({ samples, secs: now() - t })))
  .catch((e) => fail(e.stack ?? e))
