/**
 * The "Thank you for connecting" server and client from the classic Python socket
 * tutorials.
 *
 * ```python
 * # server.py
 * s = socket.socket()
 * s.bind(('', port))
 * s.listen(5)
 * while True:
 *     c, addr = s.accept()
 *     print('Got connection from', addr)
 *     c.send(b'Thank you for connecting')
 *     c.close()
 *
 * # client.py
 * s = socket.socket()
 * s.connect(('127.0.0.1', port))
 * print(s.recv(1024).decode())
 * s.close()
 * ```
 *
 * The tutorial's server loops forever; this one serves `clients` connections and stops.
 * It binds 127.0.0.1 rather than '' (all interfaces) so nothing outside can reach it.
 */
import { socket, type SocketAddress } from 'bsd-sockets'

import { withPeer } from './peer'

const GREETING = 'Thank you for connecting'

/** The server (in a worker thread): greets each client and hangs up. */
export function thankYouServer(ready: (port: number) => void, clients: number): SocketAddress[] {
  const s = socket() // AF_INET, SOCK_STREAM, as in Python
  try {
    s.settimeout(5)
    s.bind(['127.0.0.1', 0])
    s.listen(5)
    ready((s.getsockname() as [string, number])[1])
    const seen: SocketAddress[] = []
    for (let i = 0; i < clients; i++) {
      const [c, addr] = s.acceptSync()
      seen.push(addr) // Python: print('Got connection from', addr)
      c.sendSync(GREETING)
      c.close()
    }
    return seen
  } finally {
    s.close()
  }
}

/** The client: connects, prints what the server says. */
export function thankYouClient(port: number): string {
  const s = socket()
  try {
    s.settimeout(5)
    s.connectSync(['127.0.0.1', port])
    return s.recvSync(1024).toString()
  } finally {
    s.close()
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  const clients = 2
  const { server, client } = await withPeer(__filename, thankYouServer, clients, (port) => {
    log(`server listening on 127.0.0.1:${port} with listen(5)`)
    const heard: string[] = []
    for (let i = 0; i < clients; i++) heard.push(thankYouClient(port))
    return heard
  })
  client.forEach((text, i) => {
    if (text !== GREETING) throw new Error(`client ${i + 1} heard ${JSON.stringify(text)}`)
    log(`server: got connection from ${JSON.stringify(server[i])}; client ${i + 1} printed ${JSON.stringify(text)}`)
  })
}
