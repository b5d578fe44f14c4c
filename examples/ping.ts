/**
 * A raw-socket ICMP echo ("ping") of 127.0.0.1, as in the Python raw-socket ping
 * tutorials: build the ICMP echo request by hand (with its Internet checksum), send it
 * on a SOCK_RAW socket, and pick the matching echo reply out of what comes back.
 *
 * ```python
 * s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
 * s.settimeout(2)
 * header = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
 * packet = struct.pack('!BBHHH', 8, 0, checksum(header + payload), ident, seq) + payload
 * s.sendto(packet, ('127.0.0.1', 0))
 * data, addr = s.recvfrom(1024)
 * ihl = (data[0] & 0x0F) * 4                 # the IP header comes first
 * icmp_type, code, csum, rid, rseq = struct.unpack('!BBHHH', data[ihl:ihl + 8])
 * ```
 *
 * Raw sockets need root or CAP_NET_RAW; without them the example says so and skips.
 */
import { socket, SocketError, AF_INET, IPPROTO_ICMP, SOCK_RAW, type Socket } from 'bsd-sockets'

const ECHO_REQUEST = 8
const ECHO_REPLY = 0

/** The Internet checksum (RFC 1071): one's complement of the one's-complement sum of 16-bit words. */
export function checksum(data: Uint8Array): number {
  let sum = 0
  for (let i = 0; i < data.length; i += 2) {
    sum += (data[i]! << 8) | (data[i + 1] ?? 0)
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  return ~sum & 0xffff
}

/** An ICMP echo request: type 8, code 0, checksum, identifier, sequence number, payload. */
export function echoRequest(ident: number, seq: number, payload: Buffer): Buffer {
  const packet = Buffer.alloc(8 + payload.length)
  packet.writeUInt8(ECHO_REQUEST, 0)
  packet.writeUInt8(0, 1)
  packet.writeUInt16BE(0, 2) // checksum: zero while computing it
  packet.writeUInt16BE(ident, 4)
  packet.writeUInt16BE(seq, 6)
  payload.copy(packet, 8)
  packet.writeUInt16BE(checksum(packet), 2)
  return packet
}

export function run(log: (line: string) => void): void {
  let s: Socket
  try {
    s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
  } catch (e) {
    if (e instanceof SocketError && (e.code === 'EPERM' || e.code === 'EACCES')) {
      log(`skipped: socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) failed with ${e.code}.`)
      log('Raw sockets need root or the CAP_NET_RAW capability, e.g.')
      log('  sudo setcap cap_net_raw+ep "$(command -v node)"   (or run the demo as root)')
      return
    }
    throw e
  }
  using _s = s
  s.settimeout(2)

  const ident = process.pid & 0xffff
  const seq = 1
  const payload = Buffer.from('bsd-sockets ping payload')
  const request = echoRequest(ident, seq, payload)

  const start = process.hrtime.bigint()
  s.sendtoSync(request, ['127.0.0.1', 0]) // the kernel adds the IP header (IP_HDRINCL is off)
  log(`sent ICMP echo request id=${ident} seq=${seq} (${request.length} bytes) to 127.0.0.1`)

  // A raw ICMP socket sees every ICMP packet the host receives, including our own request
  // looping back on lo: skip anything that is not the reply to this request.
  const deadline = Date.now() + 2000
  let skipped = 0
  for (;;) {
    if (Date.now() > deadline) throw new Error('no echo reply within 2 s')
    const [packet, addr] = s.recvfromSync(1024)
    const elapsed = process.hrtime.bigint() - start
    const ihl = (packet[0]! & 0x0f) * 4 // IP header length in bytes
    const ttl = packet[8]!
    const icmp = packet.subarray(ihl)
    if (icmp.length < 8) continue
    const type = icmp[0]!
    const rid = icmp.readUInt16BE(4)
    const rseq = icmp.readUInt16BE(6)
    if (type !== ECHO_REPLY || rid !== ident || rseq !== seq) {
      skipped++
      continue
    }
    if (checksum(icmp) !== 0) throw new Error('echo reply has a bad checksum')
    if (!icmp.subarray(8).equals(payload)) throw new Error('echo reply carries a different payload')
    const ms = Number(elapsed) / 1e6
    log(
      `got ICMP echo reply from ${JSON.stringify(addr)}: IP header ${ihl} bytes, ttl=${ttl}, type 0, id=${rid} seq=${rseq}, ` +
        `checksum ok, time=${ms.toFixed(3)} ms`,
    )
    if (skipped > 0) log(`(skipped ${skipped} other ICMP packet${skipped === 1 ? '' : 's'}, e.g. our own request seen on lo)`)
    return
  }
}
