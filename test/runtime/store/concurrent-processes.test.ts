/** Several processes writing one database file never see SQLITE_BUSY. */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { LibsqlStore } from '../../../runtime/store/index.js'

const child = fileURLToPath(new URL('../../fixtures/store-writer-child.ts', import.meta.url))

function writer(file: string, name: string): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, file, name, '400'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  proc.stdout.on('data', (c: Buffer) => {
    output += c.toString()
  })
  proc.stderr.on('data', (c: Buffer) => {
    output += c.toString()
  })
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, output })))
}

test('three processes write concurrently without errors', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'weir-multi-')), 'weir.db')
  const results = await Promise.all(['a', 'b', 'c'].map((name) => writer(file, name)))
  for (const [i, r] of results.entries()) {
    expect(r.code, r.output).toBe(0)
    expect(r.output.trim()).toBe(`${'abc'[i]} wrote 400`)
  }
  const store = await LibsqlStore.open({ url: `file:${file}` })
  const counts = await store.client.execute(
    'SELECT status, COUNT(*) AS n FROM runs GROUP BY status',
  )
  expect(counts.rows.map((r) => [r.status, Number(r.n)])).toEqual([['completed', 1200]])
  await store.close()
}, 60_000)
