/** Shared test helpers: Python as a peer, temp dirs, fd checks. Loopback and AF_UNIX only. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { fstatSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect } from 'vitest'

import { SocketError, type Socket } from '../src/ts/index'

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** A fresh directory for AF_UNIX paths, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bsd-sockets-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Whether fd `n` is open in this process (fstat opens nothing, so it cannot reuse `fd` itself). */
export function fdIsOpen(fd: number): boolean {
  try {
    fstatSync(fd)
    return true
  } catch {
    return false
  }
}

/** Runs a Python script synchronously and returns its stdout. */
export function python(script: string, args: string[] = [], timeoutMs = 10_000): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: timeoutMs })
}

/**
 * Starts a Python script in the background; resolves once it prints its first line
 * (e.g. the port it bound) and returns that line with the process.
 */
export function pythonPeer(script: string, args: string[] = []): Promise<{ line: string; proc: ChildProcess; done: Promise<{ code: number | null; out: string; err: string }> }> {
  const proc = spawn('python3', ['-u', '-c', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    proc.on('close', (code) => resolve({ code, out, err }))
  })
  const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
  proc.on('close', () => clearTimeout(killer))
  proc.stderr!.on('data', (d) => (err += d))
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      const before = out
      out += d
      if (!before.includes('\n') && out.includes('\n')) resolve({ line: out.split('\n')[0]!, proc, done })
    })
    proc.on('close', (code) => {
      if (!out.includes('\n')) reject(new Error(`python exited (${code}) before printing: ${err}`))
    })
  })
}

/** Whether `ip netns` and veth can be used here (root with iproute2). */
export function hasNetns(): boolean {
  if (!isRoot) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * Per-file socket bookkeeping: `track(s)` closes `s` after the current test, and
 * functions pushed on `cleanups` run then too (temp dirs, restored defaults).
 */
export function useSockets(): {
  track: <T extends Socket | Socket[]>(s: T) => T
  cleanups: (() => void)[]
} {
  const open: Socket[] = []
  const cleanups: (() => void)[] = []
  afterEach(() => {
    for (const s of open.splice(0)) s.close()
    for (const c of cleanups.splice(0)) c()
  })
  const track = <T extends Socket | Socket[]>(s: T): T => {
    if (Array.isArray(s)) open.push(...s)
    else open.push(s)
    return s
  }
  return { track, cleanups }
}

/** The SocketError `fn` throws (fails the test if it throws anything else, or nothing). */
export function caught(fn: () => unknown): SocketError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SocketError)
    return e as SocketError
  }
  throw new Error('expected a SocketError')
}
