/** `npm run demo`'s programs, end to end, as a newcomer would run them. */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

describe('examples', () => {
  it('the demo runs every example and each one passes (or explains why it skipped)', () => {
    const root = join(__dirname, '..')
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'demo.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/echoed "Hello, world"/)
    expect(r.stdout).toMatch(/served 100 messages from 20 clients/)
    expect(r.stdout).toMatch(/\d+ of \d+ examples passed/)
    expect(r.stdout).not.toMatch(/FAILED/)
  }, 90_000)
})
