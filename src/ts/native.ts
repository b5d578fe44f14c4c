/**
 * Loads the native addon: the local build in a checkout, else the prebuilt package for
 * this platform (`bsd-sockets-<platform>`, an optional dependency). One error that names
 * the platform, lists the prebuilt ones and says how to build from source when neither
 * loads.
 * @internal
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type * as Binding from './binding'

export type NativeSocket = Binding.NativeSocket
export type NativeBinding = typeof Binding

/**
 * The platforms with a prebuilt package, `bsd-sockets-<platform>`: package.json's
 * `napi.targets` in napi-rs's `<os>-<arch>[-<abi>]` spelling.
 */
export const PREBUILT_PLATFORMS: readonly string[] = Object.freeze([
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
])

/**
 * Whether this process runs on musl (Alpine) rather than glibc, decided at run time: a
 * binary linked against the other C library does not load.
 */
export function isMusl(): boolean {
  if (process.platform !== 'linux') return false
  // The C library this very process has mapped: exact, and it is what the addon must match.
  try {
    const libc = libcOfMaps(readFileSync('/proc/self/maps', 'utf8'))
    if (libc) return libc === 'musl'
  } catch {
    // no /proc: ask Node, then the system
  }
  // glibc puts its version in the process report; musl does not.
  const report = process.report as (NodeJS.ProcessReport & { excludeNetwork?: boolean }) | undefined
  if (report && typeof report.getReport === 'function') {
    const excludeNetwork = report.excludeNetwork
    try {
      report.excludeNetwork = true // skips the slow network part of the report
      const header = (report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
      if (header) return !header.glibcVersionRuntime
    } catch {
      // fall through to ldd
    } finally {
      report.excludeNetwork = excludeNetwork
    }
  }
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl')
  } catch {
    return false
  }
}

/** Which C library a `/proc/<pid>/maps` text shows loaded, if either. */
export function libcOfMaps(maps: string): 'musl' | 'glibc' | undefined {
  if (/\/ld-musl-[^/\s]*\.so|\/libc\.musl-[^/\s]*\.so/.test(maps)) return 'musl'
  if (/\/libc\.so\.6\b|\/libc-2\.\d+\.so\b/.test(maps)) return 'glibc'
  return undefined
}

/**
 * The napi-rs platform name, as in `bsd-sockets-<platform>`: `linux-x64-gnu`,
 * `linux-arm64-musl`, `darwin-arm64`, `win32-x64-msvc`, …
 */
export function platformTriple(
  platform: string = process.platform,
  arch: string = process.arch,
  musl: boolean = platform === 'linux' && isMusl(),
): string {
  if (platform === 'linux') return `linux-${arch}-${musl ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/** What {@link loadError} says went wrong with one place the addon was looked for. */
export interface LoadAttempt {
  /** A file path or a package name. */
  where: string
  /** `'missing'` when it is not there; else the error loading it gave (first line). */
  problem: 'missing' | string
}

/**
 * The one error thrown when no addon loads: it names the platform, says why, lists the
 * prebuilt platforms and tells how to build from source.
 */
export function loadError(triple: string, attempts: readonly LoadAttempt[], nodeVersion: string = process.version): Error {
  const pkg = `bsd-sockets-${triple}`
  const failed = attempts.filter((a) => a.problem !== 'missing')
  const lines = [`bsd-sockets: cannot load the native addon for ${triple} (Node.js ${nodeVersion}).`]
  for (const a of attempts) lines.push(`  - ${a.where}: ${a.problem === 'missing' ? 'not found' : a.problem}`)
  if (failed.length > 0) {
    lines.push(`  The binary is there but did not load (above). A glibc binary needs glibc ≥ 2.17; a Node.js older than 18 is not supported.`)
  } else if (PREBUILT_PLATFORMS.includes(triple)) {
    lines.push(
      `  ${triple} has a prebuilt binary, ${pkg}, an optional dependency that was not installed.`,
      `  npm skips optional dependencies under --omit=optional (--no-optional), and a package-lock.json`,
      `  written on another platform may lack it (https://github.com/npm/cli/issues/4828):`,
      `  reinstall with \`rm -rf node_modules package-lock.json && npm install\`.`,
    )
  } else {
    lines.push(`  There is no prebuilt binary for ${triple}. Prebuilt: ${PREBUILT_PLATFORMS.join(', ')}.`)
  }
  lines.push(
    `  To build from source: install Rust (https://rustup.rs) and a C compiler, then in a`,
    `  checkout of the bsd-sockets repository run \`npm install\` (it runs \`napi build\`), and`,
    `  depend on that checkout (\`npm install /path/to/bsd-sockets\`).`,
  )
  return new Error(lines.join('\n'))
}

/** The directory of bsd-sockets' own package.json (the checkout, or node_modules/bsd-sockets). */
function packageRoot(): { dir: string; version?: string } {
  let dir = __dirname
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'bsd-sockets') return { dir, version: pkg.version }
    } catch {
      // none here, or not ours; keep walking up
    }
    dir = dirname(dir)
  }
  return { dir: join(__dirname, '..') }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0] ?? ''
}

function load(): NativeBinding {
  const triple = platformTriple()
  const root = packageRoot()
  const attempts: LoadAttempt[] = []

  // 1. A build in this checkout (`npm install` / `npm run build` put it at the top).
  const local = join(root.dir, `bsd-sockets.${triple}.node`)
  if (existsSync(local)) {
    try {
      return require(local) as NativeBinding
    } catch (e) {
      attempts.push({ where: local, problem: firstLine(e) })
    }
  } else {
    attempts.push({ where: local, problem: 'missing' })
  }

  // 2. The prebuilt package npm installed for this platform.
  const pkg = `bsd-sockets-${triple}`
  let binding: NativeBinding | undefined
  try {
    binding = require(pkg) as NativeBinding
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && firstLine(e).includes(`'${pkg}'`)
    attempts.push({ where: pkg, problem: missing ? 'missing' : firstLine(e) })
  }
  if (binding) {
    // The TypeScript layer and the addon are released together; another version's addon
    // would fail later with a confusing "is not a function".
    const version = (require(`${pkg}/package.json`) as { version?: string }).version
    if (root.version && version !== root.version) {
      throw new Error(
        `bsd-sockets: ${pkg}@${version} is installed but bsd-sockets is ${root.version}; they must match.\n` +
          `  Reinstall (\`rm -rf node_modules && npm install\`), or pin ${pkg} to ${root.version}.`,
      )
    }
    return binding
  }
  throw loadError(triple, attempts)
}

export const native: NativeBinding = load()
