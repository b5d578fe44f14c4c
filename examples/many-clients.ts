/**
 * One server, many clients at once: the tutorials' "multi-connection" server, whose
 * Python version serves one client at a time (or needs `selectors`). With the Promise
 * API each connection is its own `async` function on Node's event loop, so a slow client
 * never holds up the others, and there is no thread per client.
 *
 * ```python
 * # the seeds' server: accept, serve until the client closes, then accept the next
 * while True:
 *     conn, addr = s.accept()
 *     with conn:
 *         while data := conn.recv(1024):
 *             conn.sendall(data.upper())
 * ```
 */
import { createConnection, createServer, type Socket } from 'bsd-sockets'

const CLIENTS = 20
const ROUNDS = 5

/** Serves one connection: upper-cases each message until the client closes. */
async function serve(conn: Socket): Promise<number> {
  let messages = 0
  using _conn = conn
  for (;;) {
    const data = await conn.recv(1024, 0, { timeout: 5 })
    if (data.length === 0) return messages // the client closed its end
    await conn.sendall(data.toString().toUpperCase())
    messages++
  }
}

/** One client: ROUNDS request/reply exchanges, each after a small random pause. */
async function client(port: number, id: number): Promise<string[]> {
  using s = await createConnection(['127.0.0.1', port], 5)
  const replies: string[] = []
  for (let r = 0; r < ROUNDS; r++) {
    await new Promise((done) => setTimeout(done, Math.random() * 10))
    await s.sendall(`client ${id} round ${r}`)
    replies.push((await s.recv(1024)).toString())
  }
  return replies
}

export async function run(log: (line: string) => void): Promise<void> {
  using server = createServer(['127.0.0.1', 0])
  const [, port] = server.getsockname() as [string, number]
  log(`server listening on 127.0.0.1:${port}; ${CLIENTS} clients connect at once`)

  let open = 0
  let peak = 0
  const served: Promise<number>[] = []
  const accepting = (async () => {
    // Every accepted connection gets its own async function; the loop goes straight
    // back to accept() without waiting for it.
    for await (const [conn] of server.connections()) {
      open++
      peak = Math.max(peak, open)
      served.push(serve(conn).finally(() => open--))
      if (served.length === CLIENTS) break
    }
  })()

  const t0 = performance.now()
  const results = await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(port, id)))
  await accepting
  const messages = (await Promise.all(served)).reduce((a, b) => a + b, 0)
  const ms = performance.now() - t0

  for (const [id, replies] of results.entries()) {
    for (const [r, reply] of replies.entries()) {
      if (reply !== `CLIENT ${id} ROUND ${r}`) throw new Error(`client ${id} got ${JSON.stringify(reply)}`)
    }
  }
  log(`served ${messages} messages from ${CLIENTS} clients in ${ms.toFixed(0)} ms; up to ${peak} connections open at once`)
  log(`every client got its own replies back, upper-cased (e.g. "${results[3]![1]}")`)
}
