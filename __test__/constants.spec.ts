import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { describe, it, expect } from 'vitest'

import {
  AF_INET,
  AddressFamily,
  AddressInfo,
  MsgFlag,
  SOCK_STREAM,
  SocketKind,
  constants,
  flagNames,
} from '../src/ts/constants'

const root = path.resolve(__dirname, '..')

/** Prints a JSON object of every integer constant in Python's socket module. */
const PYTHON_SCRIPT = [
  'import json, socket',
  'print(json.dumps({',
  '    name: int(value)',
  '    for name, value in ((n, getattr(socket, n)) for n in dir(socket))',
  '    if name[:1].isupper() and isinstance(value, int) and not isinstance(value, bool)',
  '}))',
].join('\n')

/** Python's constants on this machine, or the reason they could not be had. */
function pythonConstants(): Record<string, number> | string {
  const python = process.env.BSD_SOCKETS_PYTHON ?? 'python3'
  try {
    const out = execFileSync(python, ['-c', PYTHON_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    return JSON.parse(out) as Record<string, number>
  } catch (err) {
    return `cannot run ${python}: ${(err as Error).message}`
  }
}

describe('constants', () => {
  it("has every integer constant of Python's socket module, with the same value", () => {
    const python = pythonConstants()
    if (typeof python === 'string') {
      console.warn(`skipped: ${python}`)
      return
    }
    const names = Object.keys(python).sort()
    expect(names.length).toBeGreaterThan(0)
    const missing = names.filter((name) => !(name in constants))
    const different = names
      .filter((name) => name in constants && constants[name] !== python[name])
      .map((name) => `${name}: python ${python[name]}, ours ${constants[name]}`)
    if (missing.length > 0) console.log(`missing (${missing.length}): ${missing.join(' ')}`)
    if (different.length > 0) console.log(`different:\n  ${different.join('\n  ')}`)
    expect(missing).toEqual([])
    expect(different).toEqual([])
  })

  it('exports each present constant by name, and holds only present ones', () => {
    expect(AF_INET).toBe(constants.AF_INET)
    expect(SOCK_STREAM).toBe(constants.SOCK_STREAM)
    expect('NO_SUCH_CONSTANT' in constants).toBe(false)
    expect(Object.values(constants).every((v) => typeof v === 'number')).toBe(true)
    expect(Object.isFrozen(constants)).toBe(true)
  })

  it('builds the lookup tables with canonical names', () => {
    expect(AddressFamily[2]).toBe('AF_INET')
    expect(AddressFamily[constants.AF_UNIX as number]).toBe('AF_UNIX')
    expect(SocketKind[5]).toBe('SOCK_SEQPACKET')
    expect(SocketKind[constants.SOCK_STREAM as number]).toBe('SOCK_STREAM')
    expect(MsgFlag[constants.MSG_PEEK as number]).toBe('MSG_PEEK')
    expect(AddressInfo[constants.AI_PASSIVE as number]).toBe('AI_PASSIVE')
    if (process.platform === 'linux') {
      expect(AddressFamily[16]).toBe('AF_NETLINK')
      expect(MsgFlag[4]).toBe('MSG_DONTROUTE')
    }
  })

  it('renders flag words like Python', () => {
    const peekDontwait = (constants.MSG_PEEK as number) + (constants.MSG_DONTWAIT as number)
    expect(flagNames(MsgFlag, peekDontwait)).toBe('MSG_PEEK|MSG_DONTWAIT')
    expect(flagNames(MsgFlag, 0)).toBe('0')
    expect(flagNames(AddressInfo, constants.AI_PASSIVE as number)).toBe('AI_PASSIVE')
    if (process.platform === 'linux') {
      expect(flagNames(MsgFlag, 66)).toBe('MSG_PEEK|MSG_DONTWAIT')
      expect(flagNames(MsgFlag, 2 + 0x40000000)).toBe('MSG_PEEK|MSG_CMSG_CLOEXEC')
      expect(flagNames(MsgFlag, 2 + 0x100000)).toBe('MSG_PEEK|1048576')
    }
  })

  it('src/ts/constants.ts is up to date with names.txt', () => {
    const script = path.join(root, 'scripts', 'gen-constants.mjs')
    expect(() =>
      execFileSync(process.execPath, [script, '--check'], { cwd: root, stdio: 'pipe' }),
    ).not.toThrow()
  })
})
