/**
 * Runs one example by name: `npx tsx examples/run-one.ts echo`.
 * Without a name, lists them.
 */
import { programs } from './programs'

async function main(): Promise<number> {
  const name = process.argv[2]
  const program = programs.find((p) => p.name === name)
  if (!program) {
    console.error(`usage: tsx examples/run-one.ts <name>\n\nexamples:`)
    for (const p of programs) console.error(`  ${p.name.padEnd(12)} ${p.title}`)
    return 2
  }
  console.log(`== ${program.title} ==`)
  try {
    await program.run((line) => console.log(`  ${line}`))
    return 0
  } catch (e) {
    console.error(`  FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
    return 1
  }
}

main().then((code) => {
  process.exitCode = code
})
