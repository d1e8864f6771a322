/**
 * A retention soak on a libSQL file: a steady load of short runs (the 3-step
 * `three` flow, `rate` starts a second, each with a 1 KiB input) for
 * `duration`, under a short retention window (20 s) swept every 5 s, printing
 * every 10 s the database file's size (and the WAL's, the free pages, the
 * runs stored): under retention the curve goes flat once the window is full.
 * `npm run bench -- retention [duration] [rate]`, duration as WEIR_RETENTION
 * reads it (`3m` by default, `90s`), rate in runs a second (100 by default).
 */
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../runtime/catalog/catalog.js'
import { ComponentCache } from '../runtime/components/component-cache.js'
import { Engine } from '../runtime/engine/engine.js'
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { RetentionSweeper, retentionWindowMs } from '../runtime/retention/index.js'
import { LibsqlStore } from '../runtime/store/index.js'
import { publishThreeStepFlow } from './three-step-flow.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2)
const size = (file: string) => {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

export async function benchRetention(duration = '3m', rate = 100): Promise<string[]> {
  const ms = retentionWindowMs('duration', duration) ?? 180_000
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-retention-'))
  const file = join(dir, 'weir.db')
  const store = await LibsqlStore.open({ url: `file:${file}` })
  const cache = new ComponentCache(join(dir, 'components'))
  const pool = await WorkerPool.start({ cache })
  const catalog = new Catalog(store, cache)
  const engine = new Engine({ store, executor: pool, catalog })
  await publishThreeStepFlow(catalog)
  let deleted = 0
  const sweeper = new RetentionSweeper({
    retention: store.retention,
    node: engine.node.id,
    runsMs: 20_000,
    auditMs: undefined,
    timing: { firstMs: 1000, intervalMs: 5000 },
    logger: {
      info: (fields) => {
        deleted += Number(fields.runs ?? 0)
      },
      error: (fields, message) => console.error(message, fields),
    },
  })
  sweeper.start()

  const pad = 'x'.repeat(1024)
  let started = 0
  let finished = 0
  let failed = 0
  const inFlight = new Set<Promise<void>>()
  const runOne = async (n: number) => {
    try {
      const { run } = await engine.startRun('three', { n: n % 1000, pad })
      const done = await engine.waitForRun(run.id, 60_000)
      if (done?.status === 'completed') finished++
      else failed++
    } catch {
      failed++
    }
  }
  const lines = [
    `${rate} runs/s of a 3-step flow for ${duration}, retention 20 s, a sweep every 5 s (libSQL file, ${dir})`,
    '',
    '| time | runs started | completed | runs stored | deleted | db file | WAL | free pages |',
    '|---|---|---|---|---|---|---|---|',
  ]
  const sample = async (seconds: number) => {
    const stored = await store.client.execute('SELECT COUNT(*) AS n FROM runs')
    const free = await store.client.execute('PRAGMA freelist_count')
    const line = `| ${seconds} s | ${started} | ${finished} | ${Number(stored.rows[0]?.n)} | ${deleted} | ${mib(size(file))} MiB | ${mib(size(`${file}-wal`))} MiB | ${Number(free.rows[0]?.freelist_count)} |`
    lines.push(line)
    console.error(line)
  }

  const begin = performance.now()
  let nextSample = 10_000
  await sample(0)
  // Starts are spread over each 100 ms tick; a run that would pass 2,000 in flight waits.
  while (performance.now() - begin < ms) {
    const tick = performance.now()
    for (let i = 0; i < rate / 10 && inFlight.size < 2000; i++) {
      const p = runOne(started++).finally(() => inFlight.delete(p))
      inFlight.add(p)
    }
    const elapsed = performance.now() - begin
    if (elapsed >= nextSample) {
      await sample(Math.round(nextSample / 1000))
      nextSample += 10_000
    }
    await sleep(Math.max(0, 100 - (performance.now() - tick)))
  }
  await Promise.all(inFlight)
  await sample(Math.round((performance.now() - begin) / 1000))
  await sweeper.stop()
  lines.push('', `failed or timed out: ${failed}`)
  await engine.stop()
  await pool.close()
  await store.close()
  return lines
}
