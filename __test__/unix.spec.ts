import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

import { AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, Socket, SocketError, socket } from '../src/ts/index'
import { caught, tempDir, useSockets } from './helpers'

const { track, cleanups } = useSockets()

const unique = () => `bsd-sockets-${process.pid}-${Math.random().toString(36).slice(2)}`

describe('abstract names (Linux)', () => {
  it('bind exactly the given bytes: names that share a prefix do not collide', () => {
    const base = unique()
    const a = track(socket(AF_UNIX, SOCK_STREAM))
    const b = track(socket(AF_UNIX, SOCK_STREAM))
    a.bind(`\0${base}`)
    b.bind(`\0${base}-longer`)
    expect(a.getsockname()).toEqual(Buffer.from(`\0${base}`))
    expect(b.getsockname()).toEqual(Buffer.from(`\0${base}-longer`))
    // No NUL padding: the returned name has exactly the bytes we gave.
    expect((a.getsockname() as Buffer).length).toBe(base.length + 1)
  })

  it('connect by the exact name; Buffer names work too; embedded NULs are allowed', () => {
    const name = Buffer.from(`\0${unique()}\0tail`)
    const srv = track(socket(AF_UNIX, SOCK_SEQPACKET))
    srv.bind(name)
    srv.listen()
    const c = track(socket(AF_UNIX, SOCK_SEQPACKET))
    c.connectSync(name)
    const [conn] = srv.acceptSync()
    track(conn)
    expect(c.getpeername()).toEqual(name)
    c.sendSync('abstract')
    expect(conn.recvSync(100).toString()).toBe('abstract')
  })

  it('a missing abstract name is ECONNREFUSED; a missing path is ENOENT', () => {
    expect(caught(() => track(socket(AF_UNIX, SOCK_STREAM)).connectSync(`\0${unique()}`)).code).toBe('ECONNREFUSED')
    const e = caught(() => track(socket(AF_UNIX, SOCK_STREAM)).connectSync('/nonexistent-dir/x.sock'))
    expect([e.code, e.syscall, e.address]).toEqual(['ENOENT', 'connect', '/nonexistent-dir/x.sock'])
  })

  it('bind("") autobinds to a kernel-chosen abstract name', () => {
    const s = track(socket(AF_UNIX, SOCK_DGRAM))
    s.bind('')
    const name = s.getsockname() as Buffer
    expect(Buffer.isBuffer(name)).toBe(true)
    expect(name[0]).toBe(0)
    expect(name.subarray(1).toString()).toMatch(/^[0-9a-f]{5}$/)
  })

  it('limits: 108 bytes including the leading NUL', () => {
    const ok = Buffer.alloc(108, 0x61)
    ok[0] = 0
    track(socket(AF_UNIX, SOCK_STREAM)).bind(ok)
    const tooLong = Buffer.alloc(109, 0x61)
    tooLong[0] = 0
    expect(() => track(socket(AF_UNIX, SOCK_STREAM)).bind(tooLong)).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    )
  })
})

describe('paths', () => {
  it('at most 107 bytes; NUL bytes refused before any syscall', () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const fill = (n: number) => join(dir, 'p'.repeat(n - dir.length - 1))
    const max = fill(107)
    expect(Buffer.byteLength(max)).toBe(107)
    const s = track(socket(AF_UNIX, SOCK_STREAM))
    s.bind(max)
    expect(s.getsockname()).toBe(max)
    expect(() => track(socket(AF_UNIX, SOCK_STREAM)).bind(fill(108))).toThrow(
      expect.objectContaining({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' }),
    )
    const withNul = join(dir, 'a\0b')
    expect(() => track(socket(AF_UNIX, SOCK_STREAM)).bind(withNul)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }),
    )
    expect(existsSync(join(dir, 'a'))).toBe(false)
  })

  it('non-UTF-8 paths come back byte-exact as Buffers', () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const raw = Buffer.concat([Buffer.from(join(dir, 'x')), Buffer.from([0xff, 0xfe])])
    const s = track(socket(AF_UNIX, SOCK_DGRAM))
    s.bind(raw)
    expect(s.getsockname()).toEqual(raw)
    const utf8 = join(dir, 'ünïcødé.sock')
    const t = track(socket(AF_UNIX, SOCK_DGRAM))
    t.bind(utf8)
    expect(t.getsockname()).toBe(utf8)
  })

  it('binding an existing file is EADDRINUSE; the file stays after close', () => {
    const { dir, cleanup } = tempDir()
    cleanups.push(cleanup)
    const path = join(dir, 's.sock')
    const a = track(socket(AF_UNIX, SOCK_STREAM))
    a.bind(path)
    a.close()
    expect(existsSync(path)).toBe(true)
    expect(caught(() => track(socket(AF_UNIX, SOCK_STREAM)).bind(path)).code).toBe('EADDRINUSE')
  })

  it('address shape errors are TypeErrors', () => {
    const s = track(socket(AF_UNIX, SOCK_STREAM))
    expect(() => s.bind(['127.0.0.1', 1] as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }))
    expect(() => s.bind(42 as never)).toThrow(TypeError)
  })
})
