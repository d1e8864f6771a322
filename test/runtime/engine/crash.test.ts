/**
 * Durability under SIGKILL: a child process runs 200 runs of a 5-step flow and
 * is killed at random moments, at least 5 times, and restarted. In the end every
 * run has completed with the right output, each run's history is consistent
 * (no step succeeded twice, attempts increase, events in order), and the
 * database passes its integrity check. On the store the suite runs on (libSQL,
 * or PostgreSQL in its second pass).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { databaseOf } from '../../fixtures/engine-harness.js'
import { openTestStore, testStoreKind } from '../../fixtures/test-stores.js'

const child = fileURLToPath(new URL('../../fixtures/crash-child.ts', import.meta.url))
const runs = 200
const steps = 5

function start(
  dataDir: string,
  url: string,
): {
  process: ChildProcess
  started: Promise<void>
  exited: Promise<number | null>
  output: () => string
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, String(runs), url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const started = new Promise<void>((resolve) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('started')) resolve()
    })
  })
  proc.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  return { process: proc, started, exited, output: () => output }
}

test('runs survive SIGKILL at random moments', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-crash-'))
  const kind = testStoreKind()
  const url = await databaseOf(kind, dataDir)
  let kills = 0
  while (kills < 6) {
    const proc = start(dataDir, url)
    const outcome = await Promise.race([
      proc.started.then(() => 'started' as const),
      proc.exited.then(() => 'exited' as const),
    ])
    if (outcome === 'exited') throw new Error(`the child exited early:\n${proc.output()}`)
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 700))
    const finished = await Promise.race([proc.exited.then(() => true), Promise.resolve(false)])
    if (finished) break
    proc.process.kill('SIGKILL')
    await proc.exited
    kills++
  }
  const last = start(dataDir, url)
  const code = await last.exited
  expect(code, last.output()).toBe(0)
  expect(kills).toBeGreaterThanOrEqual(5)

  const store = await openTestStore(kind, url)
  try {
    const all = await store.client.execute('SELECT id, status, input, output FROM runs')
    expect(all.rows).toHaveLength(runs)
    for (const row of all.rows) {
      expect(row.status).toBe('completed')
      const n = (JSON.parse(String(row.input)) as { n: number }).n
      expect(JSON.parse(String(row.output))).toEqual({ n: n + steps })
    }
    const stepRuns = await store.client.execute(
      "SELECT run_id, COUNT(*) AS n, COUNT(DISTINCT step_id) AS distinct_steps, SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS ok FROM step_runs GROUP BY run_id",
    )
    for (const row of stepRuns.rows)
      expect([Number(row.n), Number(row.distinct_steps), Number(row.ok)]).toEqual([
        steps,
        steps,
        steps,
      ])
    const attempts = await store.client.execute(
      'SELECT run_id, step_seq, number FROM attempts ORDER BY run_id, step_seq, number',
    )
    const numbers = new Map<string, number[]>()
    for (const row of attempts.rows) {
      const key = `${String(row.run_id)}/${String(row.step_seq)}`
      numbers.set(key, [...(numbers.get(key) ?? []), Number(row.number)])
    }
    for (const list of numbers.values()) expect(list).toEqual(list.map((_, i) => i + 1))
    const events = await store.client.execute(
      "SELECT run_id, COUNT(*) AS n, MAX(seq) AS last, SUM(CASE WHEN type = 'step_succeeded' THEN 1 ELSE 0 END) AS succeeded, SUM(CASE WHEN type = 'run_completed' THEN 1 ELSE 0 END) AS completed FROM events GROUP BY run_id",
    )
    expect(events.rows).toHaveLength(runs)
    for (const row of events.rows) {
      expect(Number(row.n)).toBe(Number(row.last))
      expect([Number(row.succeeded), Number(row.completed)]).toEqual([steps, 1])
    }
    if (kind === 'libsql') {
      const integrity = await store.client.execute('PRAGMA integrity_check')
      expect(integrity.rows[0]?.integrity_check).toBe('ok')
    }
  } finally {
    await store.close()
  }
}, 180_000)
