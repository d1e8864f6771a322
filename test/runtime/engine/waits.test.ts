/**
 * Sleep and waitFor steps on a real store and executor with a manual clock:
 * durable waits that end at their time (also after a restart), events with
 * checked payloads, event deadlines, and the refusals of events no step waits for.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { ManualClock } from '../../../runtime/engine/clock.js'
import { durationMs } from '../../../runtime/engine/durations.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { Store } from '../../../runtime/store/store.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { untilStatus } from '../../fixtures/run-status.js'

let cache: ComponentCache
let pool: WorkerPool

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
})

afterAll(async () => {
  await pool.close()
})

const napping = {
  name: 'napping',
  steps: [
    { id: 'before', task: 'inc', input: { n: 1 } },
    { id: 'nap', sleep: 'PT10M' },
    { id: 'after', task: 'inc', input: { n: '${steps.before.output}' } },
  ],
}

const approval = {
  name: 'approval',
  steps: [
    {
      id: 'approved',
      waitFor: 'approval',
      schema: {
        type: 'object',
        required: ['by'],
        properties: { by: { type: 'string', minLength: 1 } },
      },
      timeoutMs: 60_000,
      onError: 'rejected',
      next: 'done',
    },
    { id: 'rejected', task: 'inc', input: { n: 0 }, next: 'end' },
    { id: 'done', task: 'inc', input: { n: 100 } },
  ],
  output: { by: '${steps.approved.output.by}' },
}

const openEnded = { name: 'open-ended', steps: [{ id: 'signal', waitFor: 'go' }] }

async function setUp(clock: ManualClock, dir?: string): Promise<Harness> {
  const h = await harness(pool, cache, { clock, ...(dir ? { dir } : {}) })
  if (!dir) {
    await publishEngineTasks(h.catalog)
    for (const flow of [napping, approval, openEnded]) await h.catalog.publishFlow(flow)
  }
  return h
}

const types = async (store: Store, id: string) =>
  (await store.listEvents(id)).items.map((e) => (e.stepId ? `${e.type}:${e.stepId}` : e.type))

test('durations: milliseconds and ISO 8601 weeks, days, hours, minutes, seconds', () => {
  expect([
    durationMs(250),
    durationMs('PT10M'),
    durationMs('P1DT2H'),
    durationMs('P1W'),
    durationMs('PT1.5S'),
  ]).toEqual([250, 600_000, 93_600_000, 604_800_000, 1500])
})

describe('sleep', () => {
  test('a sleep step waits until its time, durably, then the run goes on', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    const start = clock.now()
    const { run } = await h.engine.startRun('napping', {})
    const waiting = await untilStatus(h.store, run.id, 'waiting')
    expect([waiting.currentStep, waiting.waiting]).toEqual([
      'nap',
      { kind: 'sleep', since: start, until: start + 600_000 },
    ])
    const steps = await h.store.getStepRuns(run.id)
    expect(steps.map((s) => [s.stepId, s.status, s.attempts.length])).toEqual([
      ['before', 'succeeded', 1],
      ['nap', 'waiting', 0],
    ])
    clock.advance(599_999)
    await new Promise((r) => setTimeout(r, 30))
    expect((await h.store.getRun(run.id))?.status).toBe('waiting')
    clock.advance(1)
    const done = await untilStatus(h.store, run.id, 'completed')
    expect([done.output, done.waiting]).toEqual([3, undefined])
    expect(await types(h.store, run.id)).toEqual([
      'run_started',
      'step_started:before',
      'step_succeeded:before',
      'step_started:nap',
      'step_succeeded:nap',
      'step_started:after',
      'step_succeeded:after',
      'run_completed',
    ])
    const nap = (await h.store.getStepRuns(run.id))[1]
    expect([nap?.status, nap?.output, nap?.startedAt, nap?.finishedAt, nap?.attempts]).toEqual([
      'succeeded',
      null,
      start,
      start + 600_000,
      [],
    ])
    await h.close()
  })

  test('a sleep that ended while the process was down ends after the restart', async () => {
    const clock = new ManualClock()
    const first = await setUp(clock)
    const { run } = await first.engine.startRun('napping', {})
    await untilStatus(first.store, run.id, 'waiting')
    await first.close()
    clock.advance(3_600_000)
    const second = await setUp(clock, first.dir)
    expect(await second.engine.recover()).toBe(1)
    expect((await untilStatus(second.store, run.id, 'completed')).output).toBe(3)
    await second.close()
  })
})

describe('waitFor', () => {
  test("an event's payload is checked against the step's schema and becomes its output", async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    const { run } = await h.engine.startRun('approval', {})
    const waiting = await untilStatus(h.store, run.id, 'waiting')
    expect(waiting.waiting).toEqual({
      kind: 'event',
      since: clock.now(),
      name: 'approval',
      deadline: clock.now() + 60_000,
    })
    await expect(h.engine.deliverEvent(run.id, 'approval', { by: '' })).rejects.toMatchObject({
      code: 'invalid_document',
      message: `the payload of event "approval" does not match step "approved"'s schema: /by: must not be empty`,
      problems: [{ pointer: '/by' }],
    })
    await expect(h.engine.deliverEvent(run.id, 'other', {})).rejects.toMatchObject({
      code: 'conflict',
      message: `run ${run.id} is not waiting for event "other": its step "approved" waits for "approval"`,
    })
    const moved = await h.engine.deliverEvent(run.id, 'approval', { by: 'ada' })
    expect(moved.waiting).toBeUndefined()
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({ by: 'ada' })
    const [approved] = await h.store.getStepRuns(run.id)
    expect([approved?.status, approved?.output]).toEqual(['succeeded', { by: 'ada' }])
    await expect(h.engine.deliverEvent(run.id, 'approval', { by: 'bob' })).rejects.toMatchObject({
      code: 'conflict',
      message: `run ${run.id} is completed`,
    })
    await h.close()
  })

  test('an event delivered while the run is paused is taken; the run stays paused before its next step', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    const { run } = await h.engine.startRun('approval', {})
    await untilStatus(h.store, run.id, 'waiting')
    await h.engine.pause(run.id)
    const taken = await h.engine.deliverEvent(run.id, 'approval', { by: 'ada' })
    expect([taken.status, taken.currentStep]).toEqual(['paused', 'done'])
    await h.engine.resume(run.id)
    expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({ by: 'ada' })
    await h.close()
  })

  test('no event before the deadline fails the step with a timeout, which onError can route', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    const { run } = await h.engine.startRun('approval', {})
    await untilStatus(h.store, run.id, 'waiting')
    clock.advance(60_000)
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({})
    const [approved, rejected] = await h.store.getStepRuns(run.id)
    expect([
      approved?.status,
      approved?.error?.kind,
      approved?.error?.message,
      rejected?.stepId,
    ]).toEqual(['timed_out', 'timeout', 'no event "approval" arrived within 60000 ms', 'rejected'])
    expect(await types(h.store, run.id)).toContain('step_timed_out:approved')
    await h.close()
  })

  test('a wait without a deadline survives a restart and the event still arrives, also while paused', async () => {
    const clock = new ManualClock()
    const first = await setUp(clock)
    const { run } = await first.engine.startRun('open-ended', {})
    await untilStatus(first.store, run.id, 'waiting')
    await first.close()
    clock.advance(86_400_000)
    const second = await setUp(clock, first.dir)
    await second.engine.recover()
    expect((await second.store.getRun(run.id))?.status).toBe('waiting')
    await second.engine.pause(run.id)
    expect((await second.engine.deliverEvent(run.id, 'go', { n: 7 })).status).toBe('completed')
    expect((await second.store.getRun(run.id))?.output).toEqual({ n: 7 })
    await second.close()
  })

  test('a run cancelled while its step waits ends that step as cancelled', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    const { run } = await h.engine.startRun('open-ended', {})
    await untilStatus(h.store, run.id, 'waiting')
    clock.advance(5000)
    expect((await h.engine.cancel(run.id)).status).toBe('cancelled')
    const [signal] = await h.store.getStepRuns(run.id)
    expect([signal?.status, signal?.finishedAt]).toEqual(['cancelled', clock.now()])
    await h.close()
  })
})
