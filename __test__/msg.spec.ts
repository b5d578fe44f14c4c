import { afterEach, describe, expect, it } from 'vitest'

import {
  AF_INET,
  AF_UNIX,
  CMSG_LEN,
  CMSG_SPACE,
  IPPROTO_IP,
  IP_PKTINFO,
  MSG_CTRUNC,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SCM_TIMESTAMPNS,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_PASSCRED,
  SO_PEERCRED,
  SO_TIMESTAMPNS,
  Socket,
  SocketError,
  recvFdsSync,
  sendFdsSync,
  socket,
  socketpair,
  close as closeFd,
  type InetAddress,
} from '../src/ts/index'
import { fdIsOpen, useSockets } from './helpers'

const { track } = useSockets()

function fdsBytes(fds: number[]): Buffer {
  return Buffer.from(new Int32Array(fds).buffer)
}

describe('sendmsg / recvmsg', () => {
  it('gathers and scatters buffers', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_SEQPACKET))
    expect(a.sendmsgSync([Buffer.from('ab'), 'cd', new Uint8Array([0x65, 0x66])])).toBe(6)
    const x = Buffer.alloc(2)
    const y = Buffer.alloc(10)
    const [n, anc, flags, addr] = b.recvmsgIntoSync([x, y])
    expect([n, anc, flags, addr]).toEqual([6, [], 0, null])
    expect(x.toString() + y.subarray(0, 4).toString()).toBe('abcdef')
    // An empty list sends an empty message.
    expect(a.sendmsgSync([])).toBe(0)
    expect(b.recvmsgSync(10)[0].length).toBe(0)
  })

  it('sends to an address (UDP) and reports the sender', () => {
    const a = track(socket(AF_INET, SOCK_DGRAM))
    const b = track(socket(AF_INET, SOCK_DGRAM))
    b.bind(['127.0.0.1', 0])
    a.bind(['127.0.0.1', 0])
    expect(a.sendmsgSync(['to ', 'b'], [], 0, b.getsockname() as InetAddress)).toBe(4)
    const [data, , , addr] = b.recvmsgSync(16)
    expect([data.toString(), addr]).toEqual(['to b', a.getsockname()])
  })

  it('a bare buffer is not a list of buffers (TypeError, nothing sent)', () => {
    const [a] = track(socketpair())
    expect(() => a.sendmsgSync(Buffer.from('x') as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => a.sendmsgSync(['x'], [[1, 2]] as never)).toThrow(TypeError)
    expect(() => a.recvmsgIntoSync([Buffer.alloc(1), 'x'] as never)).toThrow(TypeError)
  })

  it('SCM_RIGHTS by hand: fds arrive close-on-exec and work', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_DGRAM))
    const [x, y] = track(socketpair())
    x.setInheritable(true)
    a.sendmsgSync(['fd'], [[SOL_SOCKET, SCM_RIGHTS, fdsBytes([x.fileno()])]])
    const [data, anc, flags] = b.recvmsgSync(10, CMSG_SPACE(4))
    expect(data.toString()).toBe('fd')
    expect(flags).toBe(0)
    expect(anc.length).toBe(1)
    const [level, type, payload] = anc[0]!
    expect([level, type, payload.length]).toEqual([SOL_SOCKET, SCM_RIGHTS, 4])
    const got = track(Socket.fromFd(payload.readInt32LE(0)))
    expect(got.fileno()).not.toBe(x.fileno())
    expect(got.getInheritable()).toBe(false)
    got.sendSync('through the passed fd')
    expect(y.recvSync(64).toString()).toBe('through the passed fd')
  })

  it('a bad fd in SCM_RIGHTS is EBADF', () => {
    const [a] = track(socketpair(AF_UNIX, SOCK_DGRAM))
    const e = (() => {
      try {
        a.sendmsgSync(['x'], [[SOL_SOCKET, SCM_RIGHTS, fdsBytes([999_999])]])
      } catch (err) {
        return err as SocketError
      }
    })()
    expect([e?.code, e?.syscall]).toEqual(['EBADF', 'sendmsg'])
  })

  it('credentials: SO_PEERCRED and SCM_CREDENTIALS', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_STREAM))
    const cred = a.getsockopt(SOL_SOCKET, SO_PEERCRED, 12) as Buffer
    expect([cred.readInt32LE(0), cred.readUInt32LE(4), cred.readUInt32LE(8)]).toEqual([
      process.pid,
      process.getuid!(),
      process.getgid!(),
    ])
    b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1)
    a.sendSync('who am i')
    const [data, anc] = b.recvmsgSync(64, CMSG_SPACE(12))
    expect(data.toString()).toBe('who am i')
    const item = anc.find(([l, t]) => l === SOL_SOCKET && t === SCM_CREDENTIALS)
    expect(item).toBeDefined()
    expect(item![2].readInt32LE(0)).toBe(process.pid)
  })

  it('IP_PKTINFO tells the destination address; SO_TIMESTAMPNS the arrival time', () => {
    const rx = track(socket(AF_INET, SOCK_DGRAM))
    rx.bind(['127.0.0.1', 0])
    rx.setsockopt(IPPROTO_IP, IP_PKTINFO, 1)
    rx.setsockopt(SOL_SOCKET, SO_TIMESTAMPNS, 1)
    const tx = track(socket(AF_INET, SOCK_DGRAM))
    const before = Date.now()
    tx.sendtoSync('meta', rx.getsockname() as InetAddress)
    const [data, anc] = rx.recvmsgSync(16, CMSG_SPACE(12) + CMSG_SPACE(16))
    expect(data.toString()).toBe('meta')
    const pktinfo = anc.find(([l, t]) => l === IPPROTO_IP && t === IP_PKTINFO)
    // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
    expect(pktinfo).toBeDefined()
    expect(pktinfo![2].readInt32LE(0)).toBe(1) // lo
    expect([...pktinfo![2].subarray(8, 12)]).toEqual([127, 0, 0, 1])
    const ts = anc.find(([l, t]) => l === SOL_SOCKET && t === SCM_TIMESTAMPNS)
    expect(ts).toBeDefined()
    const secs = Number(ts![2].readBigInt64LE(0))
    expect(Math.abs(secs * 1000 - before)).toBeLessThan(5000)
  })
})

describe('sendFds / recvFds', () => {
  it('passes fds with data; flags and address are honoured', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_DGRAM))
    const [x, y] = track(socketpair())
    expect(sendFdsSync(a, ['two fds'], [x.fileno(), y.fileno()])).toBe(7)
    const [data, fds, flags, addr] = recvFdsSync(b, 64, 2)
    expect([data.toString(), fds.length, flags, addr]).toEqual(['two fds', 2, 0, null])
    const sx = track(Socket.fromFd(fds[0]!))
    const sy = track(Socket.fromFd(fds[1]!))
    expect([sx.getInheritable(), sy.getInheritable()]).toEqual([false, false])
    sx.sendSync('ping')
    expect(sy.recvSync(4).toString()).toBe('ping')
    // MSG_PEEK is honoured (CPython 3.13 would drop the flag).
    sendFdsSync(a, ['peeked'], [x.fileno()])
    const [peeked, peekedFds] = recvFdsSync(b, 64, 1, 2 /* MSG_PEEK */)
    expect(peeked.toString()).toBe('peeked')
    for (const fd of peekedFds) closeFd(fd)
    const [again, againFds] = recvFdsSync(b, 64, 1)
    expect(again.toString()).toBe('peeked')
    for (const fd of againFds) closeFd(fd)
  })

  it('more fds than maxfds: MSG_CTRUNC, and nothing leaks', () => {
    const [a, b] = track(socketpair(AF_UNIX, SOCK_DGRAM))
    const pairs = [track(socketpair()), track(socketpair()), track(socketpair())]
    sendFdsSync(a, ['x'], pairs.map(([p]) => p.fileno()))
    const probe = track(socket())
    const nextFree = probe.fileno()
    probe.close()
    const [, fds, flags] = recvFdsSync(b, 8, 1)
    expect(fds.length).toBe(1)
    expect(flags & MSG_CTRUNC).toBe(MSG_CTRUNC)
    closeFd(fds[0]!)
    // The two fds that did not fit were closed (by the kernel): the next free numbers stay free.
    expect(fdIsOpen(nextFree + 1)).toBe(false)
    expect(fdIsOpen(nextFree + 2)).toBe(false)
  })

  it('argument errors', () => {
    const [a] = track(socketpair())
    expect(() => sendFdsSync({} as never, ['x'], [1])).toThrow(TypeError)
    expect(() => sendFdsSync(a, ['x'], [-1])).toThrow(RangeError)
    expect(() => recvFdsSync(a, -1, 1)).toThrow(RangeError)
  })
})

describe('CMSG sizes', () => {
  it('match the platform macros (x86_64 values, as CPython shows)', () => {
    expect(CMSG_LEN(0)).toBe(16)
    expect(CMSG_LEN(4)).toBe(20)
    expect(CMSG_SPACE(0)).toBe(16)
    expect(CMSG_SPACE(1)).toBe(24)
    expect(CMSG_SPACE(8)).toBe(24)
    expect(CMSG_SPACE(9)).toBe(32)
    expect(() => CMSG_LEN(-1)).toThrow(RangeError)
    expect(() => CMSG_SPACE(2 ** 40)).toThrow(RangeError)
  })
})
