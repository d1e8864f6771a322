/**
 * Retention over what the engine really writes: a run with a sub-flow (whose
 * own sub-flow makes a grandchild) and a forEach step, started with an
 * idempotency key, leaves no row in a single table once its tree is past the
 * window; a waiting run, older still, keeps all of its rows; the key can then
 * start a new run.
 */
import { expect, test } from 'vitest'
import { RetentionSweeper } from '../../../runtime/retention/index.js'
import { harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { day, only, rowsByRun } from '../../fixtures/retention-trees.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { sharedPool } from '../../fixtures/shared-pool.js'

const workers = sharedPool()

const number = { type: 'integer', minimum: 0, maximum: 1000 }
const flows = [
  {
    name: 'add-one',
    input: { type: 'object', required: ['n'], properties: { n: number } },
    steps: [{ id: 'a', task: 'inc', input: { n: '${input.n}' } }],
    output: '${steps.a.output}',
  },
  {
    name: 'middle',
    steps: [{ id: 'sub', flow: 'add-one', input: { n: 1 } }],
    output: '${steps.sub.output}',
  },
  {
    name: 'top',
    input: {
      type: 'object',
      required: ['ns'],
      properties: { ns: { type: 'array', items: number, maxItems: 10 } },
    },
    steps: [
      { id: 'sub', flow: 'middle', input: {} },
      { id: 'each', forEach: '${input.ns}', task: 'inc', input: { n: '${item}' } },
    ],
    output: '${steps.each.output}',
  },
  { name: 'leaf', steps: [{ id: 'w', waitFor: 'go' }] },
]

test('a finished tree goes with every row the engine wrote for it; a waiting run stays', async () => {
  const h = await harness(workers.pool, workers.cache)
  try {
    await publishEngineTasks(h.catalog)
    for (const flow of flows) await h.catalog.publishFlow(flow)
    await h.engine.recover()
    const waiting = await h.engine.startRun('leaf', {})
    await untilStatus(h.store, waiting.run.id, 'waiting')
    const top = await h.engine.startRun('top', { ns: [1, 2, 3] }, { idempotencyKey: 'once' })
    expect((await untilStatus(h.store, top.run.id, 'completed')).output).toEqual([2, 3, 4])
    const tree = (await h.store.listRuns({ limit: 100 })).items.filter(
      (r) => r.id === top.run.id || r.root === top.run.id,
    )
    // The root, its sub-flow, the sub-flow's own, three forEach items.
    expect(tree).toHaveLength(6)
    expect(Math.max(...tree.map((r) => r.depth ?? 0))).toBe(2)
    const before = await rowsByRun(h.store)
    const sweeper = new RetentionSweeper({
      retention: h.store.retention,
      node: h.engine.node.id,
      runsMs: 30 * day,
      auditMs: undefined,
      now: () => Date.now() + 31 * day,
    })
    expect((await sweeper.sweep())?.runs).toBe(6)
    await sweeper.stop()
    expect(await rowsByRun(h.store)).toEqual(only(before, [waiting.run.id]))
    const again = await h.engine.startRun('top', { ns: [1, 2, 3] }, { idempotencyKey: 'once' })
    expect([again.created, again.run.id === top.run.id]).toEqual([true, false])
  } finally {
    await h.close()
  }
})
