// Adds lockfile entries for platform packages that `npm install` could not resolve.
//
// Why: napi-rs tools (@napi-rs/tar, @napi-rs/wasm-tools, …) list one optional package per
// platform. When the registry in use lacks some of them, npm drops them from
// package-lock.json silently, and `npm ci` then refuses the lock ("Missing: … from lock
// file"). An entry with the package's os/cpu lets npm ci skip it on other platforms, as
// it would with a complete registry. Run after `npm install` changes the lock.
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const OS = { android: 'android', darwin: 'darwin', freebsd: 'freebsd', linux: 'linux', win32: 'win32', wasm32: null }
const CPU = { arm: 'arm', 'arm-eabi': 'arm', arm64: 'arm64', ia32: 'ia32', x64: 'x64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', wasm32: 'wasm32' }

function platformOf(pkg, base) {
  const rest = pkg.slice(base.length + 1).split('-') // e.g. linux-arm64-gnu, android-arm-eabi, wasm32-wasi
  if (rest[0] === 'wasm32') return { cpu: ['wasm32'] }
  const os = OS[rest[0]]
  const cpu = CPU[rest[1]] ?? CPU[`${rest[1]}-${rest[2]}`]
  const out = {}
  if (os) out.os = [os]
  if (cpu) out.cpu = [cpu]
  if (rest.includes('gnu') || rest.includes('gnueabihf')) out.libc = ['glibc']
  if (rest.includes('musl')) out.libc = ['musl']
  return out
}

let added = 0
for (const [key, entry] of Object.entries(lock.packages)) {
  // '' is this package itself: its own bsd-sockets-<platform> packages are not on the
  // registry before their first publish, and npm drops them the same way.
  if ((key !== '' && !key.startsWith('node_modules/')) || !entry.optionalDependencies) continue
  const name = key === '' ? entry.name : key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)
  for (const [dep, version] of Object.entries(entry.optionalDependencies)) {
    const nested = key === '' ? `node_modules/${dep}` : `${key}/node_modules/${dep}`
    const top = `node_modules/${dep}`
    if (lock.packages[nested] || lock.packages[top]) continue
    if (!dep.startsWith(`${name}-`)) continue // only the platform packages of `name`
    lock.packages[top] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platformOf(dep, name) }
    added++
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)))
lock.packages = sorted
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n')
console.log(`complete-lock: added ${added} platform package entries`)
