/**
 * Echo server and echo client over TCP: the first program of every Python socket
 * tutorial, line for line.
 *
 * ```python
 * # echo-server.py
 * with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
 *     s.bind((HOST, PORT))
 *     s.listen()
 *     conn, addr = s.accept()
 *     with conn:
 *         while True:
 *             data = conn.recv(1024)
 *             if not data:
 *                 break
 *             conn.sendall(data)
 *
 * # echo-client.py
 * with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
 *     s.connect((HOST, PORT))
 *     s.sendall(b"Hello, world")
 *     data = s.recv(1024)
 * ```
 *
 * `with` becomes `using`, each blocking call gets its `Sync` suffix, and the port is 0
 * (the kernel picks a free one) so the example never collides with anything.
 */
import { socket, AF_INET, SOCK_STREAM, type SocketAddress } from 'bsd-sockets'

import { withPeer } from './peer'

const HOST = '127.0.0.1'
const MESSAGES = ['hello', 'Hello, world', 'ünïcödé is sent as UTF-8']

/** The echo server. It runs in a worker thread (see peer.ts): acceptSync blocks. */
export function echoServer(ready: (port: number) => void): { client: SocketAddress; echoed: string } {
  using s = socket(AF_INET, SOCK_STREAM)
  s.settimeout(5) // every wait below is bounded: a TimeoutError after 5 s
  s.bind([HOST, 0])
  s.listen()
  const [, port] = s.getsockname() as [string, number]
  ready(port)

  const [conn, addr] = s.acceptSync()
  using _conn = conn
  conn.settimeout(5) // accepted sockets get getdefaulttimeout(), not the listener's timeout
  const echoed: Buffer[] = []
  for (;;) {
    const data = conn.recvSync(1024)
    if (data.length === 0) break // empty Buffer: the client closed its end
    conn.sendallSync(data)
    echoed.push(data)
  }
  return { client: addr, echoed: Buffer.concat(echoed).toString() }
}

/** The echo client: sends each message and reads the echo back. */
export function echoClient(port: number, messages: string[]): string[] {
  using s = socket(AF_INET, SOCK_STREAM)
  s.settimeout(5)
  s.connectSync([HOST, port])
  const replies: string[] = []
  for (const m of messages) {
    const sent = Buffer.from(m)
    s.sendallSync(sent)
    // TCP is a byte stream: read until the whole echo is back (on loopback it is one recv).
    const parts: Buffer[] = []
    let got = 0
    while (got < sent.length) {
      const data = s.recvSync(1024)
      if (data.length === 0) throw new Error('server closed the connection early')
      parts.push(data)
      got += data.length
    }
    replies.push(Buffer.concat(parts).toString())
  }
  return replies // leaving the block closes s: the server's recvSync returns an empty Buffer
}

export async function run(log: (line: string) => void): Promise<void> {
  const { server, client } = await withPeer(__filename, echoServer, undefined, (port) => {
    log(`server listening on ${HOST}:${port} (in a worker thread)`)
    return echoClient(port, MESSAGES)
  })
  MESSAGES.forEach((m, i) => {
    const reply = client[i]
    if (reply !== m) throw new Error(`sent ${JSON.stringify(m)} but got back ${JSON.stringify(reply)}`)
    log(`client sent ${JSON.stringify(m)}, server echoed ${JSON.stringify(reply)}`)
  })
  if (server.echoed !== MESSAGES.join('')) throw new Error('the server saw different bytes than were sent')
  log(`server saw the client at ${JSON.stringify(server.client)} close the connection and stopped`)
}
