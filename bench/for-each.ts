/**
 * Fan-out: a forEach step over 1,000 items of a trivial WAT task (`inc`), each
 * item a child run, with concurrency 10 and 100, against one run of 1,000
 * sequential steps of the same task: wall time, and child runs (or steps) per
 * second. On a libSQL file, in one process.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../runtime/catalog/catalog.js'
import { ComponentCache } from '../runtime/components/component-cache.js'
import { Engine } from '../runtime/engine/engine.js'
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { openStore } from '../runtime/store/index.js'
import { engineTasksComponent } from '../test/fixtures/engine-tasks.js'
import type { JsonValue } from '../types/index.js'

const items = 1000
const count = { type: 'integer', minimum: 0, maximum: 100_000 }

export async function benchForEach(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-for-each-'))
  const store = await openStore({ url: `file:${join(dir, 'weir.db')}` })
  const cache = new ComponentCache(join(dir, 'components'))
  const pool = await WorkerPool.start({ cache })
  const catalog = new Catalog(store, cache)
  const engine = new Engine({ store, executor: pool, catalog })
  await catalog.publishTask({ name: 'inc', export: 'inc' }, await engineTasksComponent())
  for (const concurrency of [10, 100])
    await catalog.publishFlow({
      name: `each-${concurrency}`,
      input: {
        type: 'object',
        required: ['ns'],
        properties: { ns: { type: 'array', items: count } },
      },
      steps: [
        { id: 'e', forEach: '${input.ns}', task: 'inc', input: { n: '${item}' }, concurrency },
      ],
    })
  await catalog.publishFlow({
    name: 'sequential',
    limits: { maxStepRuns: items + 1 },
    steps: Array.from({ length: items }, (_, i) => ({
      id: `s${i}`,
      task: 'inc',
      input: { n: i === 0 ? 0 : `\${steps.s${i - 1}.output}` },
    })),
  })
  await engine.recover()
  const time = async (flow: string, input: JsonValue) => {
    const started = performance.now()
    const { run } = await engine.startRun(flow, input)
    const done = await engine.waitForRun(run.id, 600_000)
    if (done?.status !== 'completed')
      throw new Error(`${flow}: ${done?.status} ${done?.error?.message}`)
    return (performance.now() - started) / 1000
  }
  const ns = Array.from({ length: items }, (_, i) => i)
  await time('each-10', { ns: ns.slice(0, 50) })
  const lines = ['| measure | wall time | per second |', '|---|---|---|']
  for (const concurrency of [10, 100]) {
    const s = await time(`each-${concurrency}`, { ns })
    lines.push(
      `| forEach of ${items} items, concurrency ${concurrency} (a child run each) | ${s.toFixed(2)} s | ${(items / s).toFixed(0)} child runs/s |`,
    )
  }
  const s = await time('sequential', {})
  lines.push(
    `| one run of ${items} sequential steps | ${s.toFixed(2)} s | ${(items / s).toFixed(0)} steps/s |`,
  )
  await engine.stop()
  await store.close()
  await pool.close()
  return lines
}
