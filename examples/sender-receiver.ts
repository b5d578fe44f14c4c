/**
 * The "determined sender" and "patient receiver" of Python's Socket Programming HOWTO
 * (`mysend`/`myreceive`): `send` may send fewer bytes than asked, so the sender loops
 * until everything is out; `recv` may return any amount, so the receiver loops until
 * `recv` returns nothing, which means the sender has shut down its side.
 *
 * ```python
 * def mysend(sock, msg):
 *     totalsent = 0
 *     while totalsent < len(msg):
 *         sent = sock.send(msg[totalsent:])
 *         if sent == 0:
 *             raise RuntimeError("socket connection broken")
 *         totalsent = totalsent + sent
 *     sock.shutdown(socket.SHUT_WR)
 *
 * def myreceive(sock):
 *     chunks = []
 *     while chunk := sock.recv(2048):
 *         chunks.append(chunk)
 *     return b''.join(chunks)
 * ```
 *
 * This one runs over an AF_UNIX stream socket whose path is in a temp directory. After
 * `shutdown(SHUT_WR)` the sender can still read: the receiver answers with the byte
 * count it got, then closes.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { socket, AF_UNIX, SHUT_WR, SOCK_STREAM } from 'bsd-sockets'

import { withPeer } from './peer'

const SIZE = 8 * 1024 * 1024

/** The patient receiver (in a worker thread). */
export function patientReceiver(
  ready: (path: string) => void,
  path: string,
): { bytes: number; recvCalls: number; sha256: string } {
  using s = socket(AF_UNIX, SOCK_STREAM)
  s.settimeout(5)
  s.bind(path) // creates the socket file; removing it is up to us (as in C and Python)
  s.listen(1)
  ready(path)
  const [conn] = s.acceptSync()
  using _conn = conn
  conn.settimeout(5)
  const hash = createHash('sha256')
  let bytes = 0
  let recvCalls = 0
  for (;;) {
    const chunk = conn.recvSync(65536)
    recvCalls++
    if (chunk.length === 0) break // EOF: the sender called shutdown(SHUT_WR)
    hash.update(chunk)
    bytes += chunk.length
  }
  conn.sendallSync(`received ${bytes} bytes`)
  return { bytes, recvCalls, sha256: hash.digest('hex') }
}

/** The determined sender. */
export function determinedSender(
  path: string,
  msg: Buffer,
): { sendCalls: number; partialSends: number; reply: string } {
  using s = socket(AF_UNIX, SOCK_STREAM)
  // In timeout mode a send waits (at most 5 s) until the socket is writable, then
  // sends what fits in the socket buffer: usually far less than 8 MiB.
  s.settimeout(5)
  s.connectSync(path)
  let totalsent = 0
  let sendCalls = 0
  let partialSends = 0
  while (totalsent < msg.length) {
    const sent = s.sendSync(msg.subarray(totalsent))
    sendCalls++
    if (sent === 0) throw new Error('socket connection broken')
    if (sent < msg.length - totalsent) partialSends++
    totalsent += sent
  }
  s.shutdown(SHUT_WR) // "no more data from me": the receiver's recvSync returns an empty Buffer
  const parts: Buffer[] = []
  for (;;) {
    const chunk = s.recvSync(1024)
    if (chunk.length === 0) break
    parts.push(chunk)
  }
  return { sendCalls, partialSends, reply: Buffer.concat(parts).toString() }
}

export async function run(log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bsd-sockets-demo-'))
  try {
    const path = join(dir, 'receiver.sock')
    const msg = randomBytes(SIZE)
    const { server, client } = await withPeer(__filename, patientReceiver, path, (p) => {
      log(`receiver listening on AF_UNIX path ${p} (in a worker thread)`)
      return determinedSender(p, msg)
    })
    log(
      `sender: ${SIZE} bytes in ${client.sendCalls} sendSync calls (${client.partialSends} partial sends), then shutdown(SHUT_WR)`,
    )
    log(`receiver: ${server.bytes} bytes in ${server.recvCalls} recvSync calls, the last one empty (EOF); replied ${JSON.stringify(client.reply)}`)
    const expected = createHash('sha256').update(msg).digest('hex')
    if (server.bytes !== SIZE || server.sha256 !== expected) throw new Error('the receiver got different bytes')
    if (client.reply !== `received ${SIZE} bytes`) throw new Error(`unexpected reply ${JSON.stringify(client.reply)}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
