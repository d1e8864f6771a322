/**
 * Compensation on a real store and executor: a run that fails unrouted or is
 * cancelled undoes the steps that succeeded, most recent first, each with its
 * own retry, recorded as step runs and events, and keeps its outcome and
 * error with `compensation`; terminate skips them; a cancel while
 * compensating changes nothing; a run that compensated cannot be retried.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { RunRecord } from '../../../runtime/store/records.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { sharedPool } from '../../fixtures/shared-pool.js'

const workers = sharedPool()

async function setUp(flows: readonly object[]): Promise<Harness> {
  const h = await harness(workers.pool, workers.cache)
  await publishEngineTasks(h.catalog)
  for (const flow of flows) await h.catalog.publishFlow(flow)
  await h.engine.recover()
  return h
}

/** Each step run as [step, status, compensates, output]. */
const stepRuns = async (h: Harness, id: string) =>
  (await h.store.getStepRuns(id)).map((s) => [s.stepId, s.status, s.compensates, s.output])

const eventTypes = async (h: Harness, id: string) =>
  (await h.store.listEvents(id)).items.map((e) => e.type)

const children = async (h: Harness, id: string): Promise<RunRecord[]> =>
  (await h.store.listRuns({ parent: id })).items.sort((a, b) => (a.id < b.id ? -1 : 1))

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const undoA = { task: 'inc', input: { n: '${steps.a.output}' } }
const undoB = { task: 'inc', input: { n: '${steps.b.output}' } }

describe('compensation', () => {
  test('a run failing unrouted undoes its succeeded steps, most recent first, and keeps its error', async () => {
    const h = await setUp([
      {
        name: 'saga',
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: undoA },
          { id: 'b', task: 'inc', input: { n: '${steps.a.output}' }, compensate: undoB },
          { id: 'plain', task: 'inc', input: { n: 0 } },
          { id: 'c', task: 'trap', input: {} },
        ],
      },
    ])
    const { run } = await h.engine.startRun('saga', {})
    const done = await untilStatus(h.store, run.id, 'failed')
    expect([done.compensation, done.error?.step, done.error?.kind]).toEqual([
      'completed',
      'c',
      'trap',
    ])
    expect(done.output).toEqual({ error: done.error })
    expect(await stepRuns(h, run.id)).toEqual([
      ['a', 'succeeded', undefined, 2],
      ['b', 'succeeded', undefined, 3],
      ['plain', 'succeeded', undefined, 1],
      ['c', 'failed', undefined, undefined],
      ['b', 'succeeded', 2, 4],
      ['a', 'succeeded', 1, 3],
    ])
    expect(await eventTypes(h, run.id)).toEqual([
      'run_started',
      ...Array(3).fill(['step_started', 'step_succeeded']).flat(),
      'step_started',
      'step_failed',
      'compensation_started',
      'step_started',
      'step_succeeded',
      'step_started',
      'step_succeeded',
      'run_failed',
    ])
    const events = (await h.store.listEvents(run.id)).items
    expect(events.find((e) => e.type === 'compensation_started')?.data).toEqual({
      outcome: 'failed',
      steps: [
        { step: 'b', seq: 2 },
        { step: 'a', seq: 1 },
      ],
      error: done.error,
    })
    expect(events.at(-1)?.data).toEqual({ error: done.error, compensation: 'completed' })
    // Each compensation ran as a child run of the step's one-step compensation flow.
    const kids = await children(h, run.id)
    expect(kids.map((k) => [k.parent?.step, k.status, k.inline])).toEqual([
      ['b', 'completed', 'b:compensate'],
      ['a', 'completed', 'a:compensate'],
    ])
    await expect(h.engine.retry(run.id)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('ran its compensations (completed)'),
    })
    await h.close()
  })

  test('a compensation that fails after its retries is recorded; the others still run', async () => {
    const h = await setUp([
      {
        name: 'saga',
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: undoA },
          {
            id: 'b',
            task: 'inc',
            input: { n: 5 },
            compensate: {
              task: 'trap',
              input: {},
              retry: { maximumAttempts: 2, initialIntervalMs: 1 },
            },
          },
          { id: 'c', task: 'trap', input: {} },
        ],
      },
    ])
    const { run } = await h.engine.startRun('saga', {})
    const done = await untilStatus(h.store, run.id, 'failed')
    expect([done.compensation, done.error?.step]).toEqual(['failed', 'c'])
    const steps = await h.store.getStepRuns(run.id)
    const undo = steps.filter((s) => s.compensates !== undefined)
    expect(undo.map((s) => [s.stepId, s.status, s.error?.kind])).toEqual([
      ['b', 'failed', 'child_failed'],
      ['a', 'succeeded', undefined],
    ])
    const [trapped] = await children(h, run.id)
    expect(undo[0]?.error?.details).toEqual({
      compensates: 2,
      run: trapped?.id,
      status: 'failed',
      error: trapped?.error,
    })
    // The failing compensation was tried twice, in its own child run.
    const tries = (await h.store.getStepRuns(trapped?.id ?? ''))[0]?.attempts
    expect(tries?.map((a) => a.status)).toEqual(['failed', 'failed'])
    await h.close()
  })

  test('a routed error compensates nothing; a step that failed is not undone', async () => {
    const h = await setUp([
      {
        name: 'routed',
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: undoA },
          { id: 'b', task: 'trap', input: {}, compensate: undoA, onError: 'end' },
        ],
      },
      {
        name: 'handled',
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: undoA },
          { id: 'b', task: 'trap', input: {}, onError: 'ok' },
          { id: 'ok', set: 'handled' },
        ],
      },
    ])
    const failed = (await h.engine.startRun('routed', {})).run
    // onError "end" fails the run unrouted: a is undone, b (which failed) is not.
    const done = await untilStatus(h.store, failed.id, 'failed')
    expect(done.compensation).toBe('completed')
    expect((await stepRuns(h, failed.id)).filter((s) => s[2] !== undefined)).toEqual([
      ['a', 'succeeded', 1, 3],
    ])
    const handled = (await h.engine.startRun('handled', {})).run
    const completed = await untilStatus(h.store, handled.id, 'completed')
    expect([completed.output, completed.compensation]).toEqual(['handled', undefined])
    await h.close()
  })

  test('cancel undoes the succeeded steps and the run ends cancelled; terminate skips them', async () => {
    const flow = {
      name: 'waits',
      steps: [
        { id: 'a', task: 'inc', input: { n: 1 }, compensate: undoA },
        { id: 'w', waitFor: 'go' },
      ],
    }
    const h = await setUp([flow])
    const cancelled = (await h.engine.startRun('waits', {})).run
    await untilStatus(h.store, cancelled.id, 'waiting')
    await h.engine.cancel(cancelled.id)
    const done = await untilStatus(h.store, cancelled.id, 'cancelled')
    expect([done.compensation, done.error]).toEqual(['completed', undefined])
    expect(await stepRuns(h, cancelled.id)).toEqual([
      ['a', 'succeeded', undefined, 2],
      ['w', 'cancelled', undefined, undefined],
      ['a', 'succeeded', 1, 3],
    ])
    const events = (await h.store.listEvents(cancelled.id)).items
    expect(events.at(-1)).toMatchObject({
      type: 'run_cancelled',
      data: { compensation: 'completed' },
    })
    expect(events.find((e) => e.type === 'compensation_started')?.data).toEqual({
      outcome: 'cancelled',
      steps: [{ step: 'a', seq: 1 }],
    })

    const terminated = (await h.engine.startRun('waits', {})).run
    await untilStatus(h.store, terminated.id, 'waiting')
    await h.engine.terminate(terminated.id)
    const stopped = await untilStatus(h.store, terminated.id, 'terminated')
    expect(stopped.compensation).toBeUndefined()
    expect((await stepRuns(h, terminated.id)).map((s) => s[0])).toEqual(['a', 'w'])
    expect(await children(h, terminated.id)).toEqual([])
    await h.close()
  })

  test('while compensating, a cancel changes nothing; a terminate stops the compensation, which failed', async () => {
    const h = await setUp([
      { name: 'slow-undo', steps: [{ id: 'w', waitFor: 'undo' }] },
      {
        name: 'saga',
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: { flow: 'slow-undo', input: {} } },
          { id: 'c', task: 'trap', input: {} },
        ],
      },
    ])
    const { run } = await h.engine.startRun('saga', {})
    await until(
      async () => (await children(h, run.id)).some((k) => k.status === 'waiting'),
      'the compensation to wait',
    )
    const compensating = await h.store.getRun(run.id)
    expect([compensating?.status, compensating?.compensation, compensating?.error]).toEqual([
      'waiting',
      'running',
      undefined,
    ])
    expect((await h.engine.cancel(run.id)).compensation).toBe('running')
    expect((await h.store.getRun(run.id))?.status).toBe('waiting')
    await h.engine.terminate(run.id)
    const done = await untilStatus(h.store, run.id, 'terminated')
    expect(done.compensation).toBe('failed')
    const [undo] = await children(h, run.id)
    await until(
      async () => (await h.store.getRun(undo?.id ?? ''))?.status === 'terminated',
      'the compensation child to be terminated',
    )
    await h.close()
  })

  test("the run's timeout no longer applies once its compensations began", async () => {
    const h = await setUp([
      { name: 'slow-undo', steps: [{ id: 'w', waitFor: 'undo' }] },
      {
        name: 'saga',
        timeoutMs: 300,
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: { flow: 'slow-undo', input: {} } },
          { id: 'c', task: 'trap', input: {} },
        ],
      },
    ])
    const { run } = await h.engine.startRun('saga', {})
    const leaf = async () => {
      const [undo] = await children(h, run.id)
      return (await children(h, undo?.id ?? ''))[0]
    }
    await until(async () => (await leaf())?.status === 'waiting', 'the compensating flow')
    await new Promise((r) => setTimeout(r, 400))
    expect((await h.store.getRun(run.id))?.compensation).toBe('running')
    await h.engine.deliverEvent((await leaf())?.id ?? '', 'undo', {})
    const done = await untilStatus(h.store, run.id, 'failed')
    expect([done.compensation, done.error?.kind]).toEqual(['completed', 'trap'])
    await h.close()
  })

  test('a node that stops while compensating hands the run on; the compensation is started once and completes', async () => {
    const a = await setUp([
      { name: 'slow-undo', steps: [{ id: 'w', waitFor: 'undo' }] },
      {
        name: 'saga',
        steps: [
          { id: 'a', task: 'inc', input: { n: 1 }, compensate: { flow: 'slow-undo', input: {} } },
          { id: 'c', task: 'trap', input: {} },
        ],
      },
    ])
    const { run } = await a.engine.startRun('saga', {})
    await until(
      async () => (await children(a, run.id)).some((k) => k.status === 'waiting'),
      'the compensation to wait',
    )
    await a.engine.stop()
    const b = await harness(workers.pool, workers.cache, {
      dir: mkdtempSync(join(tmpdir(), 'weir-node-b-')),
      url: a.url,
    })
    await b.engine.recover()
    // The compensation's flow started its own child (a one-step flow calling slow-undo): the leaf waits.
    const leaf = async () => {
      const [undo] = await children(b, run.id)
      return (await children(b, undo?.id ?? ''))[0]
    }
    await until(async () => (await leaf())?.status === 'waiting', 'the compensating flow')
    await b.engine.deliverEvent((await leaf())?.id ?? '', 'undo', { done: true })
    const done = await untilStatus(b.store, run.id, 'failed')
    expect([done.compensation, done.error?.kind]).toEqual(['completed', 'trap'])
    expect((await children(b, run.id)).map((k) => k.status)).toEqual(['completed'])
    await a.store.close()
    await b.close()
  })
})
