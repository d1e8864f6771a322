/**
 * The durable engine on a file database (WAL, synchronous=NORMAL), or on the
 * database `dbUrl` names (PostgreSQL): durable steps per second for 1,000
 * concurrent runs of a 3-step flow of trivial WAT tasks (run creation
 * included), and start-to-completion latency of a single 3-step run on an
 * idle system.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../runtime/catalog/catalog.js'
import { ComponentCache } from '../runtime/components/component-cache.js'
import { Engine } from '../runtime/engine/engine.js'
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { openStore } from '../runtime/store/index.js'
import { publishThreeStepFlow } from './three-step-flow.js'

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number

export async function benchEngine(concurrent = 1000, dbUrl?: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-engine-'))
  const store = await openStore({ url: dbUrl ?? `file:${join(dir, 'weir.db')}` })
  const cache = new ComponentCache(join(dir, 'components'))
  const pool = await WorkerPool.start({ cache })
  const catalog = new Catalog(store, cache)
  const engine = new Engine({ store, executor: pool, catalog })
  await publishThreeStepFlow(catalog)
  const runOnce = async () => {
    const { run } = await engine.startRun('three', { n: 1 })
    await engine.waitForRun(run.id, 10_000)
  }
  for (let i = 0; i < 300; i++) await runOnce()

  const lines = ['| measure | value |', '|---|---|']
  const latencies: number[] = []
  for (let i = 0; i < 500; i++) {
    const started = performance.now()
    await runOnce()
    latencies.push(performance.now() - started)
  }
  latencies.sort((a, b) => a - b)
  lines.push(
    `| idle 3-step run, start to completion p50 | ${quantile(latencies, 0.5).toFixed(2)} ms |`,
  )
  lines.push(
    `| idle 3-step run, start to completion p99 | ${quantile(latencies, 0.99).toFixed(2)} ms |`,
  )

  const throughput: number[] = []
  for (let round = 0; round < 3; round++) {
    const started = performance.now()
    const runs = await Promise.all(
      Array.from({ length: concurrent }, (_, i) => engine.startRun('three', { n: i % 100 })),
    )
    await Promise.all(runs.map((r) => engine.waitForRun(r.run.id, 120_000)))
    throughput.push((3 * concurrent) / ((performance.now() - started) / 1000))
  }
  throughput.sort((a, b) => a - b)
  lines.push(
    `| durable steps/s, ${concurrent} concurrent 3-step runs (median of 3) | ${quantile(throughput, 0.5).toFixed(0)} |`,
  )
  await engine.stop()
  await pool.close()
  await store.close()
  return lines
}
