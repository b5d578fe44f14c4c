/**
 * Loads the native addon: the local build in a checkout, else the prebuilt package for
 * this platform. One clear error when neither exists.
 * @internal
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type * as Binding from './binding'

export type NativeSocket = Binding.NativeSocket
export type NativeBinding = typeof Binding

const SUPPORTED = [
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
]

function isMusl(): boolean {
  if (process.platform !== 'linux') return false
  try {
    // glibc reports its version in the process report; musl does not.
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
    if (header && header.glibcVersionRuntime) return false
  } catch {
    // fall through to the file check
  }
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return false
  }
}

/** `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, … */
export function platformTriple(): string {
  const { platform, arch } = process
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function packageRoot(): string {
  let dir = __dirname
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'bsd-sockets') return dir
      } catch {
        // not ours; keep walking up
      }
    }
    dir = dirname(dir)
  }
  return join(__dirname, '..')
}

function load(): NativeBinding {
  const triple = platformTriple()
  const local = join(packageRoot(), `bsd-sockets.${triple}.node`)
  const tried: string[] = []
  if (existsSync(local)) return require(local) as NativeBinding
  tried.push(local)
  const pkg = `bsd-sockets-${triple}`
  try {
    return require(pkg) as NativeBinding
  } catch (e) {
    tried.push(`${pkg} (${(e as Error).message.split('\n')[0]})`)
  }
  const supported = SUPPORTED.includes(triple)
  throw new Error(
    `bsd-sockets: no native binary for ${triple} (Node ${process.version}).\n` +
      `  Tried: ${tried.join('; ')}\n` +
      (supported
        ? `  ${triple} is supported: reinstall without --no-optional / --omit=optional so npm installs ${pkg}.\n`
        : `  Prebuilt platforms: ${SUPPORTED.join(', ')}.\n`) +
      `  To build from source: install Rust (https://rustup.rs), then in a checkout of bsd-sockets run \`npm install\` (it runs \`napi build\`).`,
  )
}

export const native: NativeBinding = load()
