import { describe, expect, it } from 'vitest'
import { socketpair, AF_UNIX, SOCK_STREAM, constants } from '../src/ts/index'

describe('smoke', () => {
  it('socketpair round trip', () => {
    const [a, b] = socketpair()
    a.sendallSync('hi')
    expect(b.recvSync(10).toString()).toBe('hi')
    expect(a.family).toBe(AF_UNIX)
    expect(a.type).toBe(SOCK_STREAM)
    expect('AF_UNIX' in constants).toBe(true)
    a.close()
    b.close()
  })
})
