// The packaging contract: the native loader, the per-platform packages under npm/, and the
// ESM entry against the CommonJS one. Child processes run the built dist/ (npm test builds
// it first), so what is checked is what ships.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PREBUILT_PLATFORMS, isMusl, libcOfMaps, loadError, platformTriple } from '../src/ts/native'

const root = resolve(__dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

/** Runs `node -e code` in the checkout with process.platform/arch replaced before anything loads. */
function nodeAs(platform: string, arch: string, code: string) {
  const preload = `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });` +
    `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });`
  return spawnSync(process.execPath, ['-e', `${preload}\n${code}`], { cwd: root, encoding: 'utf8', timeout: 20_000 })
}

/** napi-rs's platform name for a Rust target triple. */
function napiPlatform(rustTriple: string): string {
  const [arch, , os, abi] = rustTriple.split('-')
  const cpu = { x86_64: 'x64', aarch64: 'arm64' }[arch!]
  if (os === 'darwin') return `darwin-${cpu}`
  if (os === 'windows') return `win32-${cpu}-${abi}`
  return `${os}-${cpu}-${abi}`
}

describe('platform names', () => {
  it('maps platform, arch and C library to the napi-rs name', () => {
    expect(platformTriple('linux', 'x64', false)).toBe('linux-x64-gnu')
    expect(platformTriple('linux', 'x64', true)).toBe('linux-x64-musl')
    expect(platformTriple('linux', 'arm64', true)).toBe('linux-arm64-musl')
    expect(platformTriple('darwin', 'arm64')).toBe('darwin-arm64')
    expect(platformTriple('win32', 'x64')).toBe('win32-x64-msvc')
    expect(platformTriple('freebsd', 'x64')).toBe('freebsd-x64')
  })

  it('tells musl from glibc by the libraries a process has mapped', () => {
    const line = (path: string) => `7f2a1c000000-7f2a1c028000 r--p 00000000 08:01 1234   ${path}\n`
    // Alpine: musl's libc is its dynamic loader.
    expect(libcOfMaps(line('/usr/local/bin/node') + line('/lib/ld-musl-x86_64.so.1'))).toBe('musl')
    expect(libcOfMaps(line('/usr/lib/libc.musl-aarch64.so.1'))).toBe('musl')
    // Debian/Ubuntu, and older glibc that named the file by version.
    expect(libcOfMaps(line('/usr/lib/x86_64-linux-gnu/libc.so.6') + line('/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'))).toBe('glibc')
    expect(libcOfMaps(line('/lib64/libc-2.17.so'))).toBe('glibc')
    // A statically linked process, or no maps at all: undecided (the loader asks Node next).
    expect(libcOfMaps(line('/usr/local/bin/node') + line('[heap]'))).toBeUndefined()
  })

  it('detects the C library of this process', () => {
    // Debian/Ubuntu (glibc) here and in CI; the Alpine job of the workflow sees musl.
    const musl = existsSync('/etc/alpine-release')
    expect(isMusl()).toBe(process.platform === 'linux' && musl)
    if (process.platform === 'linux') expect(platformTriple()).toBe(`linux-${process.arch}-${musl ? 'musl' : 'gnu'}`)
  })
})

describe('per-platform packages', () => {
  it('napi.targets, optionalDependencies, the loader and npm/ name the same platforms', () => {
    const platforms = (pkg.napi.targets as string[]).map(napiPlatform)
    expect(platforms).toEqual([...PREBUILT_PLATFORMS])
    expect(Object.keys(pkg.optionalDependencies)).toEqual(platforms.map((p) => `bsd-sockets-${p}`))
    for (const v of Object.values(pkg.optionalDependencies)) expect(v).toBe(pkg.version)
    expect(readdirSync(join(root, 'npm')).sort()).toEqual([...platforms].sort())
  })

  it.each([...PREBUILT_PLATFORMS])('npm/%s/package.json is installable only there', (platform) => {
    const sub = JSON.parse(readFileSync(join(root, 'npm', platform, 'package.json'), 'utf8'))
    const [os, cpu, abi] = platform.split('-')
    const binary = `bsd-sockets.${platform}.node`
    expect(sub).toMatchObject({ name: `bsd-sockets-${platform}`, version: pkg.version, main: binary, files: [binary] })
    expect(sub.os).toEqual([os])
    expect(sub.cpu).toEqual([cpu])
    if (abi === 'gnu') expect(sub.libc).toEqual(['glibc'])
    else if (abi === 'musl') expect(sub.libc).toEqual(['musl'])
    else expect(sub.libc).toBeUndefined()
    expect(sub.engines).toEqual(pkg.engines)
    expect(sub.scripts).toBeUndefined()
    expect(existsSync(join(root, 'npm', platform, 'README.md'))).toBe(true)
  })

  it('the main package installs nothing by script and ships no Rust', () => {
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts[hook]).toBeUndefined()
    expect(pkg.files).toEqual(['dist', 'index.d.ts'])
    expect(pkg.engines.node).toBe('>=18')
  })
})

describe('loader errors', () => {
  it('an unsupported platform gets one error naming it, the prebuilt list and the source build', () => {
    const message = loadError('freebsd-riscv64', [
      { where: '/x/bsd-sockets.freebsd-riscv64.node', problem: 'missing' },
      { where: 'bsd-sockets-freebsd-riscv64', problem: 'missing' },
    ], 'v22.0.0').message
    expect(message).toContain('cannot load the native addon for freebsd-riscv64 (Node.js v22.0.0)')
    expect(message).toContain('There is no prebuilt binary for freebsd-riscv64.')
    expect(message).toContain(`Prebuilt: ${PREBUILT_PLATFORMS.join(', ')}.`)
    expect(message).toContain('To build from source: install Rust')
    expect(message).toContain('npm install')
  })

  it('a supported platform whose package is missing is told to reinstall with optional dependencies', () => {
    const message = loadError('darwin-arm64', [{ where: 'bsd-sockets-darwin-arm64', problem: 'missing' }]).message
    expect(message).toContain('darwin-arm64 has a prebuilt binary, bsd-sockets-darwin-arm64, an optional dependency that was not installed')
    expect(message).toContain('--omit=optional')
    expect(message).not.toContain('There is no prebuilt binary')
  })

  it('a binary that is there but does not load says so, with the loader’s reason', () => {
    const message = loadError('linux-x64-gnu', [
      { where: 'bsd-sockets-linux-x64-gnu', problem: "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.17' not found" },
    ]).message
    expect(message).toContain("version `GLIBC_2.17' not found")
    expect(message).toContain('did not load')
  })

  it('require() on an unsupported platform throws that one error', () => {
    const r = nodeAs('freebsd', 'riscv64', `
      try { require('./dist/index.js'); console.log('LOADED') }
      catch (e) { console.log(JSON.stringify({ message: e.message, name: e.name })) }`)
    expect(r.status).toBe(0)
    const { message, name } = JSON.parse(r.stdout)
    expect(name).toBe('Error')
    expect(message).toContain('cannot load the native addon for freebsd-riscv64')
    expect(message).toContain(join(root, 'bsd-sockets.freebsd-riscv64.node') + ': not found')
    expect(message).toContain('bsd-sockets-freebsd-riscv64: not found')
    expect(message).toContain(`Prebuilt: ${PREBUILT_PLATFORMS.join(', ')}.`)
    expect(message).toContain('To build from source')
    expect(message.match(/bsd-sockets:/g)).toHaveLength(1)
  })

  it('import on a supported platform without its package names the package to install', () => {
    const r = nodeAs('darwin', 'arm64', `
      import('./dist/index.mjs').then(() => console.log('LOADED'), (e) => console.log(e.message))`)
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('cannot load the native addon for darwin-arm64')
    expect(r.stdout).toContain('bsd-sockets-darwin-arm64, an optional dependency that was not installed')
  })
})

describe('ESM and CommonJS entries', () => {
  it('export the same names and the same objects', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
      import { createRequire } from 'node:module'
      import { readFileSync } from 'node:fs'
      const esm = await import('./dist/index.mjs')
      const cjs = createRequire(import.meta.url)('./dist/index.js')
      const declared = [...readFileSync('src/ts/constants.ts', 'utf8').matchAll(/^export const (\\w+)/gm)].map((m) => m[1])
      const esmNames = Object.keys(esm).filter((k) => k !== 'default')
      const missing = Object.keys(cjs).filter((k) => !(k in esm) || esm[k] !== cjs[k])
      const extra = esmNames.filter((k) => !(k in cjs) && !(declared.includes(k) && esm[k] === undefined))
      console.log(JSON.stringify({ missing, extra, n: esmNames.length, cjs: Object.keys(cjs).length,
        sameDefault: esm.default === cjs, sameClass: esm.Socket === cjs.Socket }))`],
    { cwd: root, encoding: 'utf8', timeout: 20_000 })
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout)
    expect(out.missing).toEqual([])
    expect(out.extra).toEqual([])
    expect(out.sameDefault).toBe(true)
    expect(out.sameClass).toBe(true)
    expect(out.n).toBeGreaterThanOrEqual(out.cjs)
  })
})
