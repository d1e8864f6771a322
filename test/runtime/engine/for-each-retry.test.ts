/**
 * For-each steps and retries, on a real store and executor: a retried run
 * re-runs only the items that did not complete; a for-each step's `retry` is
 * each item's, not the step's; the aggregated output fails `limit_exceeded`
 * as soon as it passes the stored-value limit, stopping the items going.
 */
import { describe, expect, test } from 'vitest'
import type { RunRecord } from '../../../runtime/store/records.js'
import { defaultEvaluationLimits } from '../../../types/index.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { sharedPool } from '../../fixtures/shared-pool.js'

const workers = sharedPool()

async function setUp(flows: readonly object[], maxBytes?: number): Promise<Harness> {
  const limits =
    maxBytes === undefined
      ? undefined
      : { ...defaultEvaluationLimits, value: { ...defaultEvaluationLimits.value, maxBytes } }
  const h = await harness(workers.pool, workers.cache, limits ? { limits } : {})
  await publishEngineTasks(h.catalog)
  for (const flow of flows) await h.catalog.publishFlow(flow)
  await h.engine.recover()
  return h
}

const children = async (h: Harness, id: string): Promise<RunRecord[]> =>
  (await h.store.listRuns({ parent: id, limit: 500 })).items

const numbers = {
  type: 'array',
  items: { type: 'integer', minimum: 0, maximum: 100 },
  maxItems: 200,
}

/** Items below 5 fail on the run's first attempt; on a retry every item passes 9. */
const picky = {
  name: 'picky',
  input: { type: 'object', required: ['ns'], properties: { ns: numbers } },
  steps: [
    {
      id: 'e',
      forEach: '${input.ns}',
      task: 'fail-below',
      input: { attempt: '${run.attempt > 1 ? 9 : item}', until: 5 },
      concurrency: 4,
    },
  ],
}

describe('forEach and retries', () => {
  test('a retried run re-runs only the items that did not complete, and keeps the others’ outputs', async () => {
    const h = await setUp([picky])
    const ns = [7, 2, 9, 1, 8, 6]
    const { run } = await h.engine.startRun('picky', { ns })
    await untilStatus(h.store, run.id, 'failed')
    // Let the cancelled siblings settle before looking at what completed.
    for (let i = 0; i < 400; i++) {
      const kids = await children(h, run.id)
      if (kids.every((k) => ['completed', 'failed', 'cancelled'].includes(k.status))) break
      await new Promise((r) => setTimeout(r, 5))
    }
    const first = await children(h, run.id)
    const completed = new Map(
      first.filter((k) => k.status === 'completed').map((k) => [k.parent?.index, k.output]),
    )
    expect(completed.size).toBeGreaterThan(0)
    await h.engine.retry(run.id)
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual(ns.map((n, i) => (completed.has(i) ? n : 9)))
    const again = (await children(h, run.id)).filter((k) => !first.some((f) => f.id === k.id))
    expect(again.map((k) => k.parent?.index).sort()).toEqual(
      ns.map((_, i) => i).filter((i) => !completed.has(i)),
    )
    expect(again.every((k) => k.status === 'completed')).toBe(true)
    const wait = (await h.store.listEvents(run.id)).items.filter((e) => e.type === 'step_started')
    expect(wait.map((e) => e.data)).toEqual([
      { attempt: 1, items: 6 },
      { attempt: 2, items: 6 },
    ])
    await h.close()
  })

  test("a forEach step's retry is each item's: the step itself is not run again", async () => {
    const h = await setUp([
      {
        name: 'trapping',
        input: { type: 'object', required: ['ns'], properties: { ns: numbers } },
        steps: [
          {
            id: 'e',
            forEach: '${input.ns}',
            task: 'trap',
            input: {},
            retry: { maximumAttempts: 2, initialIntervalMs: 1 },
            concurrency: 1,
          },
        ],
      },
    ])
    const { run } = await h.engine.startRun('trapping', { ns: [1, 2] })
    const failed = await untilStatus(h.store, run.id, 'failed')
    expect(failed.error?.kind).toBe('child_failed')
    const [step] = await h.store.getStepRuns(run.id)
    expect(step?.attempts.length).toBe(1)
    // One child (the first item, which failed), tried twice.
    const kids = await children(h, run.id)
    expect(kids.length).toBe(1)
    const tries = (await h.store.getStepRuns(kids[0]?.id ?? ''))[0]?.attempts
    expect(tries?.map((a) => a.error?.kind)).toEqual(['trap', 'trap'])
    await h.close()
  })

  test('the aggregated output fails limit_exceeded as soon as it passes the stored-value limit', async () => {
    const wide = {
      name: 'wide',
      input: { type: 'object', required: ['n'], properties: { n: numbers.items } },
      steps: [{ id: 'a', task: 'inc', input: { n: '${input.n}' } }],
      output: { n: '${steps.a.output}', pad: 'x'.repeat(120) },
    }
    const many = {
      name: 'many',
      input: { type: 'object', required: ['ns'], properties: { ns: numbers } },
      steps: [{ id: 'e', forEach: '${input.ns}', flow: 'wide', input: { n: '${item}' } }],
    }
    const h = await setUp([wide, many], 1000)
    const ns = Array.from({ length: 60 }, (_, i) => i)
    const { run } = await h.engine.startRun('many', { ns })
    const failed = await untilStatus(h.store, run.id, 'failed')
    expect(failed.error).toMatchObject({
      step: 'e',
      kind: 'limit_exceeded',
      details: { code: 'value_too_large', limit: 1000 },
    })
    expect(failed.error?.message).toMatch(
      /^the output of forEach step "e" passed the stored-value limit of 1000 bytes after \d+ of 60 items \(WEIR_MAX_VALUE_KB\)$/,
    )
    // Stopped early: far fewer than the 60 items ever started.
    expect((await children(h, run.id)).length).toBeLessThan(30)
    await h.close()
  })
})
