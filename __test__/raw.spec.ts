/**
 * Raw sockets: SOCK_RAW ICMP, AF_PACKET on `lo`, AF_NETLINK route dumps, IP_HDRINCL, and
 * a pair of network namespaces of our own joined by a veth. These need root
 * (CAP_NET_RAW / CAP_NET_ADMIN); without it they skip with a printed reason.
 * Loopback and our own namespaces only; every loop bounded, every socket closed.
 */
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_NETLINK,
  AF_PACKET,
  ETH_P_ALL,
  ETH_P_IP,
  IPPROTO_ICMP,
  IPPROTO_RAW,
  IPPROTO_UDP,
  IPPROTO_IP,
  IP_HDRINCL,
  NETLINK_ROUTE,
  PACKET_HOST,
  PACKET_OUTGOING,
  SOCK_DGRAM,
  SOCK_RAW,
  Socket,
  htons,
  ifNametoindex,
  socket,
} from '../src/ts/index'
import { hasNetns, isRoot, useSockets } from './helpers'

// The build under test (this checkout's), for scripts run in other namespaces.
const DIST = join(__dirname, '..', 'dist', 'index.js')

const ARPHRD_LOOPBACK = 772
const ARPHRD_ETHER = 1

if (!isRoot) console.log('raw.spec.ts: not root, so raw/packet/netns tests are skipped (they need CAP_NET_RAW/CAP_NET_ADMIN)')

const { track } = useSockets()

/** The Internet checksum (RFC 1071). */
function inetChecksum(b: Buffer): number {
  let sum = 0
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i)
  if (b.length % 2) sum += b[b.length - 1]! << 8
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16)
  return ~sum & 0xffff
}

/** A UDP receiver on 127.0.0.1 so datagrams sent in the tests are delivered (no ICMP noise). */
function udpSink(): [Socket, number] {
  const r = track(socket(AF_INET, SOCK_DGRAM))
  r.settimeout(5)
  r.bind(['127.0.0.1', 0])
  return [r, (r.getsockname() as [string, number])[1]]
}

describe('SOCK_RAW ICMP', () => {
  it.skipIf(!isRoot)('echo request to 127.0.0.1 gets an echo reply with our id/seq/payload', () => {
    const s = track(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP))
    expect([s.family, s.type, s.proto]).toEqual([AF_INET, SOCK_RAW, IPPROTO_ICMP])
    s.settimeout(5)
    const id = (process.pid ^ 0x5a5a) & 0xffff
    const seq = 0x1234
    const payload = randomBytes(24)
    const req = Buffer.alloc(8 + payload.length)
    req.writeUInt8(8, 0) // echo request
    req.writeUInt8(0, 1)
    req.writeUInt16BE(id, 4)
    req.writeUInt16BE(seq, 6)
    payload.copy(req, 8)
    req.writeUInt16BE(inetChecksum(req), 2)
    expect(inetChecksum(req)).toBe(0)
    expect(s.sendtoSync(req, ['127.0.0.1', 0])).toBe(req.length)

    let reply: Buffer | undefined
    let from: unknown
    for (let i = 0; i < 50 && !reply; i++) {
      const [pkt, addr] = s.recvfromSync(65535)
      // A raw IPv4 socket receives the IP header too.
      expect(pkt[0]! >> 4).toBe(4)
      const ihl = (pkt[0]! & 0x0f) * 4
      expect(pkt[9]).toBe(IPPROTO_ICMP)
      const icmp = pkt.subarray(ihl)
      if (icmp[0] === 0 && icmp.readUInt16BE(4) === id && icmp.readUInt16BE(6) === seq) {
        reply = icmp
        from = addr
      }
      // Anything else (our own request looping back, other ICMP) is skipped.
    }
    expect(reply).toBeDefined()
    expect(from).toEqual(['127.0.0.1', 0])
    expect(reply![1]).toBe(0) // code
    expect(inetChecksum(reply!)).toBe(0)
    expect(reply!.subarray(8).equals(payload)).toBe(true)
  })
})

describe('AF_PACKET', () => {
  it.skipIf(!isRoot)('captures our UDP datagram on lo with address [lo, 0x0800, pkttype, 772, 6 zero bytes]', () => {
    const p = track(socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)))
    expect(p.family).toBe(AF_PACKET)
    p.settimeout(5)
    // proto in host byte order in the tuple, as in CPython.
    p.bind(['lo', ETH_P_ALL])
    const bound = p.getsockname()
    expect(bound).toEqual(['lo', ETH_P_ALL, 0, ARPHRD_LOOPBACK, Buffer.alloc(6)])

    const [sink, port] = udpSink()
    const payload = Buffer.from(`bsd-sockets-packet-${randomBytes(8).toString('hex')}`)
    const tx = track(socket(AF_INET, SOCK_DGRAM))
    tx.bind(['127.0.0.1', 0])
    const srcPort = (tx.getsockname() as [string, number])[1]
    tx.sendtoSync(payload, ['127.0.0.1', port])

    // lo shows each frame twice: outgoing and incoming. Collect both, bounded in count and
    // time (other loopback traffic, e.g. a benchmark, may pass through first).
    const seen = new Map<number, [Buffer, unknown]>()
    const until = performance.now() + 5000
    for (let i = 0; i < 100_000 && seen.size < 2 && performance.now() < until; i++) {
      const [frame, addr] = p.recvfromSync(65535)
      if (frame.indexOf(payload) >= 0) seen.set((addr as unknown as [string, number, number])[2], [frame, addr])
    }
    expect([...seen.keys()].sort()).toEqual([PACKET_HOST, PACKET_OUTGOING].sort())
    for (const [pkttype, [frame, addr]] of seen) {
      expect(addr).toEqual(['lo', ETH_P_IP, pkttype, ARPHRD_LOOPBACK, Buffer.alloc(6)])
      // Ethernet header: zero MACs, ethertype IPv4.
      expect(frame.subarray(0, 12).equals(Buffer.alloc(12))).toBe(true)
      expect(frame.readUInt16BE(12)).toBe(0x0800)
      const ip = frame.subarray(14)
      const ihl = (ip[0]! & 0x0f) * 4
      expect(ip[9]).toBe(IPPROTO_UDP)
      expect([...ip.subarray(12, 20)]).toEqual([127, 0, 0, 1, 127, 0, 0, 1])
      const udp = ip.subarray(ihl)
      expect(udp.readUInt16BE(0)).toBe(srcPort)
      expect(udp.readUInt16BE(2)).toBe(port)
      expect(udp.readUInt16BE(4)).toBe(8 + payload.length)
      expect(udp.subarray(8).equals(payload)).toBe(true)
    }
    const [got, from] = sink.recvfromSync(1000)
    expect(got.equals(payload)).toBe(true)
    expect(from).toEqual(['127.0.0.1', srcPort])
  })
})

/** Builds an RTM_GETLINK dump request: nlmsghdr (16) + ifinfomsg (16). */
function rtmGetlink(seq: number): Buffer {
  const NLM_F_REQUEST = 0x1
  const NLM_F_DUMP = 0x300
  const RTM_GETLINK = 18
  const b = Buffer.alloc(32)
  b.writeUInt32LE(32, 0) // nlmsg_len
  b.writeUInt16LE(RTM_GETLINK, 4)
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6)
  b.writeUInt32LE(seq, 8)
  b.writeUInt32LE(0, 12) // nlmsg_pid: to the kernel
  // ifinfomsg: family AF_UNSPEC, the rest 0
  return b
}

describe('AF_NETLINK', () => {
  it.skipIf(!isRoot)('NETLINK_ROUTE RTM_GETLINK dump lists lo as index 1', () => {
    const NLMSG_ERROR = 2
    const NLMSG_DONE = 3
    const RTM_NEWLINK = 16
    const IFLA_IFNAME = 3
    const n = track(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE))
    expect([n.family, n.type, n.proto]).toEqual([AF_NETLINK, SOCK_RAW, NETLINK_ROUTE])
    n.settimeout(5)
    n.bind([0, 0])
    const [pid, groups] = n.getsockname() as [number, number]
    expect(pid).toBeGreaterThan(0)
    expect(groups).toBe(0)
    const seq = 0x4242
    expect(n.sendtoSync(rtmGetlink(seq), [0, 0])).toBe(32)

    const links = new Map<number, string>()
    let done = false
    for (let i = 0; i < 200 && !done; i++) {
      const [buf, from] = n.recvfromSync(65536)
      expect(from).toEqual([0, 0]) // from the kernel
      let off = 0
      for (let j = 0; j < 1000 && off + 16 <= buf.length; j++) {
        const len = buf.readUInt32LE(off)
        const type = buf.readUInt16LE(off + 4)
        expect(len).toBeGreaterThanOrEqual(16)
        expect(buf.readUInt32LE(off + 8)).toBe(seq)
        expect(buf.readUInt32LE(off + 12)).toBe(pid)
        if (type === NLMSG_DONE) {
          done = true
          break
        }
        if (type === NLMSG_ERROR) throw new Error(`netlink error ${buf.readInt32LE(off + 16)}`)
        if (type === RTM_NEWLINK) {
          const index = buf.readInt32LE(off + 16 + 4)
          let a = off + 32
          for (let k = 0; k < 1000 && a + 4 <= off + len; k++) {
            const alen = buf.readUInt16LE(a)
            const atype = buf.readUInt16LE(a + 2) & 0x3fff
            if (alen < 4) break
            if (atype === IFLA_IFNAME) links.set(index, buf.toString('latin1', a + 4, a + alen).replace(/\0+$/, ''))
            a += (alen + 3) & ~3
          }
        }
        off += (len + 3) & ~3
      }
    }
    expect(done).toBe(true)
    expect(links.get(1)).toBe('lo')
    expect(ifNametoindex('lo')).toBe(1)
  })
})

describe('IP_HDRINCL / raw UDP', () => {
  it.skipIf(!isRoot)('a hand-built IPv4+UDP packet sent with IPPROTO_RAW reaches a UDP socket; SOCK_RAW IPPROTO_UDP sees it', () => {
    const [sink, port] = udpSink()
    const sniff = track(socket(AF_INET, SOCK_RAW, IPPROTO_UDP))
    sniff.settimeout(5)
    const raw = track(socket(AF_INET, SOCK_RAW, IPPROTO_RAW))
    // IPPROTO_RAW implies IP_HDRINCL.
    expect(raw.getsockopt(IPPROTO_IP, IP_HDRINCL)).toBe(1)
    const payload = Buffer.from(`hdrincl-${randomBytes(6).toString('hex')}`)
    const srcPort = 40000 + (process.pid % 20000)
    const pkt = Buffer.alloc(20 + 8 + payload.length)
    pkt.writeUInt8(0x45, 0)
    pkt.writeUInt16BE(pkt.length, 2)
    pkt.writeUInt16BE(0x1234, 4) // id
    pkt.writeUInt8(64, 8) // ttl
    pkt.writeUInt8(IPPROTO_UDP, 9)
    Buffer.from([127, 0, 0, 2]).copy(pkt, 12) // a spoofed loopback source
    Buffer.from([127, 0, 0, 1]).copy(pkt, 16)
    pkt.writeUInt16BE(inetChecksum(pkt.subarray(0, 20)), 10)
    pkt.writeUInt16BE(srcPort, 20)
    pkt.writeUInt16BE(port, 22)
    pkt.writeUInt16BE(8 + payload.length, 24)
    pkt.writeUInt16BE(0, 26) // no UDP checksum (allowed on IPv4)
    payload.copy(pkt, 28)
    expect(raw.sendtoSync(pkt, ['127.0.0.1', 0])).toBe(pkt.length)

    const [got, from] = sink.recvfromSync(1000)
    expect(got.equals(payload)).toBe(true)
    expect(from).toEqual(['127.0.0.2', srcPort])

    let seen: Buffer | undefined
    let seenFrom: unknown
    for (let i = 0; i < 100 && !seen; i++) {
      const [p, a] = sniff.recvfromSync(65535)
      if (p.indexOf(payload) >= 0) {
        seen = p
        seenFrom = a
      }
    }
    expect(seen).toBeDefined()
    expect(seenFrom).toEqual(['127.0.0.2', 0])
    expect(seen!.subarray(0, 20).readUInt16BE(4)).toBe(0x1234)
    expect(seen!.subarray(20).equals(pkt.subarray(20))).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------
// Network namespaces: two of our own, joined by a veth; nothing touches the host's links.

const netnsOk = hasNetns()
if (!netnsOk) console.log('raw.spec.ts: `ip netns` unavailable (needs root and iproute2), so the netns test is skipped')

const tag = randomBytes(3).toString('hex')
const NS_A = `bsdsA-${tag}`
const NS_B = `bsdsB-${tag}`
const MAC_A = '02:00:00:21:3a:01'
const MAC_B = '02:00:00:21:3a:02'
let nsCreated = false

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 })
}

afterAll(() => {
  if (!nsCreated) return
  for (const ns of [NS_A, NS_B]) {
    try {
      ip('netns', 'del', ns)
    } catch {
      // already gone
    }
  }
})

/** Runs `argv` inside `ns`; resolves with its first stdout line and the process. */
function inNetns(ns: string, argv: string[], timeoutMs = 15_000) {
  const proc = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const killer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs)
  proc.stdout.on('data', (d) => (out += d))
  proc.stderr.on('data', (d) => (err += d))
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    proc.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, out, err })
    })
  })
  const first = new Promise<string>((resolve, reject) => {
    proc.stdout.on('data', () => {
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    proc.on('close', (code) => reject(new Error(`exited (${code}) before printing: ${err}`)))
  })
  return { proc, first, done }
}

describe('network namespaces', () => {
  it.skipIf(!netnsOk)('UDP across a veth between two namespaces; AF_PACKET on the veth sees Ethernet addresses', async () => {
    ip('netns', 'add', NS_A)
    nsCreated = true
    ip('netns', 'add', NS_B)
    ip('-n', NS_A, 'link', 'add', 'va', 'address', MAC_A, 'type', 'veth', 'peer', 'name', 'vb', 'address', MAC_B, 'netns', NS_B)
    ip('-n', NS_A, 'addr', 'add', '10.213.0.1/24', 'dev', 'va')
    ip('-n', NS_B, 'addr', 'add', '10.213.0.2/24', 'dev', 'vb')
    for (const [ns, dev] of [
      [NS_A, 'va'],
      [NS_B, 'vb'],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up')
      ip('-n', ns, 'link', 'set', dev, 'up')
    }

    const server = inNetns(NS_B, [
      'python3',
      '-u',
      '-c',
      `
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.bind(('10.213.0.2', 0))
print(s.getsockname()[1], flush=True)
data, addr = s.recvfrom(2048)
s.sendto(data.upper(), addr)
print(addr[0], addr[1], flush=True)
s.close()
`,
    ])
    const port = Number(await server.first)
    expect(port).toBeGreaterThan(0)

    const script = `
const m = require(${JSON.stringify(DIST)})
const out = {}
const p = m.socket(m.AF_PACKET, m.SOCK_RAW, m.htons(m.ETH_P_IP))
const u = m.socket(m.AF_INET, m.SOCK_DGRAM)
try {
  p.settimeout(5)
  p.bind(['va', m.ETH_P_IP])
  out.packetName = p.getsockname()
  u.settimeout(5)
  u.bind(['10.213.0.1', 0])
  out.local = u.getsockname()
  u.sendtoSync('ping across namespaces', ['10.213.0.2', ${port}])
  const [data, from] = u.recvfromSync(2048)
  out.data = data.toString()
  out.from = from
  for (let i = 0; i < 200; i++) {
    const [frame, addr] = p.recvfromSync(65535)
    if (frame.includes('PING ACROSS NAMESPACES') && addr[2] === m.PACKET_HOST) {
      out.frameAddr = [addr[0], addr[1], addr[2], addr[3], addr[4].toString('hex')]
      out.frameMacs = [frame.subarray(0, 6).toString('hex'), frame.subarray(6, 12).toString('hex')]
      break
    }
  }
} finally {
  u.close()
  p.close()
}
console.log(JSON.stringify(out, (k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v)))
`
    const client = inNetns(NS_A, [process.execPath, '-e', script])
    const c = await client.done
    const s = await server.done
    expect(c.err).toBe('')
    expect(c.code).toBe(0)
    expect(s.err).toBe('')
    expect(s.code).toBe(0)
    const out = JSON.parse(c.out.trim())
    const hex = (mac: string) => mac.replace(/:/g, '')
    const ifindexA = Number(/^(\d+):/.exec(ip('-n', NS_A, '-o', 'link', 'show', 'va'))![1])
    expect(ifindexA).toBeGreaterThan(0)
    expect(out.packetName).toEqual(['va', ETH_P_IP, 0, ARPHRD_ETHER, hex(MAC_A)])
    expect(out.local[0]).toBe('10.213.0.1')
    expect(out.data).toBe('PING ACROSS NAMESPACES')
    expect(out.from).toEqual(['10.213.0.2', port])
    // The reply frame arrived from vb's MAC, addressed to va's MAC.
    expect(out.frameAddr).toEqual(['va', ETH_P_IP, PACKET_HOST, ARPHRD_ETHER, hex(MAC_B)])
    expect(out.frameMacs).toEqual([hex(MAC_A), hex(MAC_B)])
    // Python saw our exact source address.
    expect(s.out.split('\n')[1]).toBe(`10.213.0.1 ${out.local[1]}`)
  })
})
