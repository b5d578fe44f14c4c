/**
 * File transfer over a TCP socket: the sender hands the file to the kernel with
 * `sendfileSync` (Python's `socket.sendfile`, zero-copy `sendfile(2)`), the receiver
 * writes what arrives to a new file until EOF, and both files' SHA-256 are compared.
 *
 * ```python
 * # sender
 * with socket.create_connection((HOST, PORT)) as s, open(path, 'rb') as f:
 *     s.sendfile(f)
 *
 * # receiver
 * conn, addr = server.accept()
 * with conn, open(out, 'wb') as f:
 *     while data := conn.recv(65536):
 *         f.write(data)
 * ```
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { createConnectionSync, createServer } from 'bsd-sockets'

import { withPeer } from './peer'

const SIZE = 4 * 1024 * 1024 + 123 // not a multiple of any buffer size

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/** The receiver (in a worker thread): saves one upload to `out`. */
export function receiveFile(ready: (port: number) => void, out: string): { bytes: number; recvCalls: number } {
  using server = createServer(['127.0.0.1', 0]) // Python's create_server: bind + listen
  server.settimeout(5)
  ready((server.getsockname() as [string, number])[1])
  const [conn] = server.acceptSync()
  using _conn = conn
  conn.settimeout(5)
  const fd = openSync(out, 'w')
  let bytes = 0
  let recvCalls = 0
  try {
    for (;;) {
      const data = conn.recvSync(65536)
      recvCalls++
      if (data.length === 0) break // the sender closed: the file is complete
      writeSync(fd, data)
      bytes += data.length
    }
  } finally {
    closeSync(fd)
  }
  return { bytes, recvCalls }
}

/** The sender: one `sendfileSync` call sends the whole file. */
export function sendFile(port: number, path: string): number {
  using s = createConnectionSync(['127.0.0.1', port], 5) // timeout 5 s
  const fd = openSync(path, 'r')
  try {
    return s.sendfileSync(fd)
  } finally {
    closeSync(fd)
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bsd-sockets-demo-'))
  try {
    const src = join(dir, 'original.bin')
    const dst = join(dir, 'received.bin')
    writeFileSync(src, randomBytes(SIZE))
    const { server, client: sent } = await withPeer(__filename, receiveFile, dst, (port) => {
      log(`receiver listening on 127.0.0.1:${port} (in a worker thread)`)
      return sendFile(port, src)
    })
    const [a, b] = [sha256(src), sha256(dst)]
    log(`sender: sendfileSync sent ${sent} bytes of a ${SIZE}-byte temp file`)
    log(`receiver: wrote ${server.bytes} bytes in ${server.recvCalls} recvSync calls, until the empty Buffer (EOF)`)
    if (sent !== SIZE || server.bytes !== SIZE || a !== b) throw new Error(`mismatch: sha256 ${a} vs ${b}`)
    log(`sha256 of both files: ${a.slice(0, 16)}… (identical)`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
