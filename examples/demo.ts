/**
 * `npm run demo`: runs every example in examples/ in order and prints what happened.
 * Exits non-zero if any of them fails. Each example is also runnable alone:
 * `npx tsx examples/run-one.ts <name>`.
 */
import { programs } from './programs'

async function main(): Promise<number> {
  const started = Date.now()
  console.log('bsd-sockets demo: classic Python socket tutorials, ported to Node (Sync and Promise APIs).')
  console.log('Everything runs on this machine only (127.0.0.1 and AF_UNIX sockets in a temp dir).')
  const failed: string[] = []
  const skipped: string[] = []
  for (const [i, program] of programs.entries()) {
    console.log(`\n${i + 1}. ${program.title}  [examples/${program.name}.ts]`)
    const t0 = Date.now()
    let skip = false
    try {
      await program.run((line) => {
        // An example that cannot run here (e.g. raw sockets without root) says "skipped: …".
        if (line.startsWith('skipped:')) skip = true
        console.log(`   ${line}`)
      })
      if (skip) skipped.push(program.name)
      console.log(`   ${skip ? 'skipped' : 'ok'} (${Date.now() - t0} ms)`)
    } catch (e) {
      failed.push(program.name)
      console.log(`   FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1)
  const passed = programs.length - failed.length - skipped.length
  console.log(
    `\n${passed} of ${programs.length} examples passed in ${secs} s` +
      (skipped.length > 0 ? `; skipped: ${skipped.join(', ')}` : '') +
      (failed.length > 0 ? `; FAILED: ${failed.join(', ')}` : '') +
      '.',
  )
  return failed.length > 0 ? 1 : 0
}

// A last-resort guard: every socket in the examples has a 5 s timeout, so this should never fire.
const guard = setTimeout(() => {
  console.error('demo: still running after 30 s, giving up')
  process.exit(1)
}, 30_000)
guard.unref()

main().then((code) => {
  process.exitCode = code
})
