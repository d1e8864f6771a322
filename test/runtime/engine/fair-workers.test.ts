/**
 * Fair workers, through the engine: 40 runs of a flow whose task spins until
 * its 5 s timeout, on 2 workers, do not keep an unrelated one-step flow
 * waiting (before, such a flow waited behind them: 30.5 s).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let cache: ComponentCache
let pool: WorkerPool

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
})

afterAll(async () => {
  await pool.close()
})

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('fair workers', () => {
  test('an unrelated one-step flow finishes in under 6 s at p99 while 40 spinning runs hold 2 workers', async () => {
    const h = await harness(pool, cache)
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow({
      name: 'spinning',
      steps: [{ id: 'spin', task: 'spin', input: {}, timeoutMs: 5000 }],
    })
    await h.catalog.publishFlow({
      name: 'unrelated',
      input: {
        type: 'object',
        required: ['n'],
        properties: { n: { type: 'integer', minimum: 0, maximum: 1000 } },
      },
      steps: [{ id: 'inc', task: 'inc', input: { n: '${input.n}' } }],
      output: { n: '${steps.inc.output}' },
    })
    const spinners = await Promise.all(
      Array.from({ length: 40 }, () => h.engine.startRun('spinning', {})),
    )
    await pause(200)
    // Every half second for 6 s, across the first spinning attempt's timeout and its worker's replacement.
    const latencies: number[] = []
    for (let n = 0; n < 12; n++) {
      const started = performance.now()
      const { run } = await h.engine.startRun('unrelated', { n })
      const done = await h.engine.waitForRun(run.id, 60_000)
      const elapsed = performance.now() - started
      latencies.push(elapsed)
      expect(done).toMatchObject({ status: 'completed', output: { n: n + 1 } })
      await pause(Math.max(0, 500 - elapsed))
    }
    latencies.sort((a, b) => a - b)
    const p99 = latencies[Math.min(latencies.length - 1, Math.floor(0.99 * latencies.length))]
    expect(p99).toBeLessThan(6000)

    // The first spinning runs timed out meanwhile; the others are terminated now.
    await Promise.allSettled(spinners.map((s) => h.engine.terminate(s.run.id)))
    const ended = await Promise.all(spinners.map((s) => h.engine.waitForRun(s.run.id, 10_000)))
    const outcomes = new Set(
      ended.map(
        (run) => `${run?.status}: ${run?.error?.kind ?? '-'}: ${run?.error?.message ?? '-'}`,
      ),
    )
    expect(outcomes).toEqual(
      new Set([
        'failed: timeout: the attempt did not finish within 5000 ms and was stopped',
        'terminated: -: -',
      ]),
    )
    await h.close()
  }, 30_000)
})
