/**
 * The engine on a real libSQL store and a real executor running WAT tasks:
 * each operation and failure kind, asserted on what is stored.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { ManualClock } from '../../../runtime/engine/clock.js'
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
  pool = await WorkerPool.start({ cache, size: 2 })
})

afterAll(async () => {
  await pool.close()
})

async function setUp(
  flows: object[],
  options: { clock?: ManualClock; executor?: WorkerPool } = {},
): Promise<Harness> {
  const h = await harness(options.executor ?? pool, cache, options)
  await publishEngineTasks(h.catalog)
  for (const flow of flows) await h.catalog.publishFlow(flow)
  return h
}

const eventTypes = async (store: Store, id: string) =>
  (await store.listEvents(id)).items.map((e) => (e.stepId ? `${e.type}:${e.stepId}` : e.type))

const numberInput = {
  type: 'object',
  required: ['n'],
  properties: { n: { type: 'integer', minimum: 0, maximum: 1000 } },
}

describe('engine', () => {
  test('a linear run completes; step runs, attempts and history are stored', async () => {
    const h = await setUp([
      {
        name: 'line',
        input: numberInput,
        steps: [
          { id: 'a', task: 'inc', input: { n: '${input.n}' } },
          { id: 'b', task: 'inc', input: { n: '${steps.a.output}' } },
        ],
        output: { total: '${steps.b.output}' },
      },
    ])
    const { run } = await h.engine.startRun('line', { n: 40 })
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({
      status: 'completed',
      output: { total: 42 },
      currentStep: undefined,
      error: undefined,
    })
    expect(await h.store.getRun(run.id)).toMatchObject({
      status: 'completed',
      output: { total: 42 },
    })
    expect(await eventTypes(h.store, run.id)).toEqual([
      'run_started',
      'step_started:a',
      'step_succeeded:a',
      'step_started:b',
      'step_succeeded:b',
      'run_completed',
    ])
    const steps = await h.store.getStepRuns(run.id)
    expect(steps.map((s) => [s.seq, s.stepId, s.status, s.input, s.output, s.task])).toEqual([
      [1, 'a', 'succeeded', { n: 40 }, 41, { name: 'inc', version: 1 }],
      [2, 'b', 'succeeded', { n: 41 }, 42, { name: 'inc', version: 1 }],
    ])
    expect(steps[0]?.attempts).toMatchObject([
      { number: 1, status: 'succeeded', input: { n: 40 }, output: 41, log: '' },
    ])
    await h.close()
  })

  test('a task error fails the run with the error stored as data', async () => {
    const h = await setUp([
      { name: 'doomed', steps: [{ id: 'a', task: 'fail-below', input: { attempt: 1, until: 5 } }] },
    ])
    const { run } = await h.engine.startRun('doomed', {})
    const done = await h.engine.waitForRun(run.id, 10_000)
    const error = {
      step: 'a',
      task: 'fail-below@1',
      kind: 'task_error',
      message: 'not yet: attempt too low',
      details: 'not yet: attempt too low',
      attempt: 1,
    }
    expect(done).toMatchObject({ status: 'failed', error })
    expect((await h.store.getRun(run.id))?.error).toEqual(error)
    expect((await h.store.getStepRuns(run.id))[0]).toMatchObject({ status: 'failed', error })
    expect(await eventTypes(h.store, run.id)).toEqual([
      'run_started',
      'step_started:a',
      'step_failed:a',
      'run_failed',
    ])
    await h.close()
  })

  test('retries wait their backoff on durable timers, and the attempt number is visible to the task', async () => {
    const clock = new ManualClock()
    const h = await setUp(
      [
        {
          name: 'retrying',
          steps: [
            {
              id: 'a',
              task: 'fail-below',
              input: { attempt: '${run.attempt}', until: 3 },
              retry: { initialIntervalMs: 1000, backoffCoefficient: 2 },
            },
          ],
        },
      ],
      { clock },
    )
    const start = clock.now()
    const { run } = await h.engine.startRun('retrying', {})
    await untilStatus(h.store, run.id, 'waiting')
    const events = async () => (await h.store.listEvents(run.id)).items
    expect((await events()).at(-1)).toMatchObject({
      type: 'retry_scheduled',
      stepId: 'a',
      data: { attempt: 2, at: start + 1000, delayMs: 1000 },
    })
    clock.advance(1000)
    await untilStatus(h.store, run.id, 'waiting')
    await new Promise((r) => setTimeout(r, 50))
    expect((await events()).at(-1)).toMatchObject({
      type: 'retry_scheduled',
      data: { attempt: 3, at: start + 1000 + 2000, delayMs: 2000 },
    })
    clock.advance(2000)
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toBe(3)
    const [step] = await h.store.getStepRuns(run.id)
    expect(step?.status).toBe('succeeded')
    expect(step?.attempts.map((a) => [a.number, a.status, a.input])).toEqual([
      [1, 'failed', { attempt: 1, until: 3 }],
      [2, 'failed', { attempt: 2, until: 3 }],
      [3, 'succeeded', { attempt: 3, until: 3 }],
    ])
    await h.close()
  })

  test('a step timeout stops the attempt and fails the step as timed out', async () => {
    const h = await setUp([
      { name: 'stuck', steps: [{ id: 'a', task: 'spin', input: {}, timeoutMs: 300 }] },
    ])
    const { run } = await h.engine.startRun('stuck', {})
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({
      status: 'failed',
      error: {
        step: 'a',
        kind: 'timeout',
        message: 'the attempt did not finish within 300 ms and was stopped',
      },
    })
    expect((await h.store.getStepRuns(run.id))[0]?.status).toBe('timed_out')
    expect(await eventTypes(h.store, run.id)).toEqual([
      'run_started',
      'step_started:a',
      'step_timed_out:a',
      'run_failed',
    ])
    await h.close()
  })

  test('the run timeout ends a run whose step is still running', async () => {
    const h = await setUp([
      {
        name: 'slow',
        timeoutMs: 300,
        steps: [{ id: 'a', task: 'spin', input: {}, timeoutMs: 10_000 }],
      },
    ])
    const { run } = await h.engine.startRun('slow', {})
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({
      status: 'timed_out',
      error: { step: 'a', kind: 'timeout', message: 'the run did not finish within its timeout' },
    })
    expect((await h.store.getStepRuns(run.id))[0]?.status).toBe('timed_out')
    expect((await eventTypes(h.store, run.id)).at(-1)).toBe('run_timed_out')
    await h.close()
  })

  test('onError routes a failed step to a step that reads its error', async () => {
    const h = await setUp([
      {
        name: 'routed',
        steps: [
          { id: 'a', task: 'trap', input: {}, onError: 'handle', next: 'end' },
          { id: 'handle', task: 'inc', input: { n: 1 } },
        ],
        output: {
          why: '${has(steps.a.error) ? steps.a.error.kind + ": " + steps.a.error.message : "no error"}',
          handled: '${steps.handle.output}',
        },
      },
    ])
    const { run } = await h.engine.startRun('routed', {})
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({
      status: 'completed',
      output: { why: 'trap: wasm trap: wasm `unreachable` instruction executed', handled: 2 },
    })
    expect(await eventTypes(h.store, run.id)).toEqual([
      'run_started',
      'step_started:a',
      'step_failed:a',
      'error_routed:a',
      'step_started:handle',
      'step_succeeded:handle',
      'run_completed',
    ])
    await h.close()
  })

  test('cancel stops the run after the step under way', async () => {
    const h = await setUp([
      {
        name: 'two',
        steps: [
          { id: 'a', task: 'burn', input: { millions: 150 } },
          { id: 'b', task: 'inc', input: { n: 1 } },
        ],
      },
    ])
    const { run } = await h.engine.startRun('two', {})
    await h.engine.cancel(run.id)
    const done = await untilStatus(h.store, run.id, 'cancelled')
    expect(done.currentStep).toBe('b')
    expect((await h.store.getStepRuns(run.id)).map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'succeeded'],
    ])
    expect((await eventTypes(h.store, run.id)).slice(-1)).toEqual(['run_cancelled'])
    await h.close()
  })

  test('terminate kills the attempt in flight', async () => {
    const h = await setUp([
      { name: 'forever', steps: [{ id: 'a', task: 'spin', input: {}, timeoutMs: 30_000 }] },
    ])
    const { run } = await h.engine.startRun('forever', {})
    await new Promise((r) => setTimeout(r, 100))
    const started = Date.now()
    await h.engine.terminate(run.id)
    const done = await untilStatus(h.store, run.id, 'terminated')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(done.finishedAt).toBeDefined()
    const [step] = await h.store.getStepRuns(run.id)
    expect(step).toMatchObject({
      status: 'cancelled',
      error: { kind: 'cancelled', message: 'the attempt was terminated' },
    })
    expect(await eventTypes(h.store, run.id)).toEqual([
      'run_started',
      'step_started:a',
      'step_failed:a',
      'run_terminated',
    ])
    await h.close()
  })

  test('pause halts before the next step and resume continues', async () => {
    const h = await setUp([
      {
        name: 'pausable',
        steps: [
          { id: 'a', task: 'burn', input: { millions: 100 } },
          { id: 'b', task: 'inc', input: { n: 1 } },
        ],
      },
    ])
    const { run } = await h.engine.startRun('pausable', {})
    await h.engine.pause(run.id)
    await untilStatus(h.store, run.id, 'paused')
    expect((await h.store.getStepRuns(run.id)).map((s) => s.stepId)).toEqual(['a'])
    await h.engine.resume(run.id)
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({ status: 'completed', output: 2 })
    expect(await eventTypes(h.store, run.id)).toEqual([
      'run_started',
      'step_started:a',
      'step_succeeded:a',
      'run_paused',
      'run_resumed',
      'step_started:b',
      'step_succeeded:b',
      'run_completed',
    ])
    await h.close()
  })

  test('retry restarts a failed run from its failed step, keeping earlier outputs', async () => {
    // `flaky` keeps its count in its instance: one fresh worker makes the count (and the test) deterministic.
    const solo = await WorkerPool.start({ cache, size: 1 })
    const h = await setUp(
      [
        {
          name: 'flaky-flow',
          steps: [
            { id: 'a', task: 'inc', input: { n: 1 } },
            { id: 'b', task: 'flaky', input: {} },
            { id: 'c', task: 'inc', input: { n: '${steps.a.output}' } },
          ],
        },
      ],
      { executor: solo },
    )
    const { run } = await h.engine.startRun('flaky-flow', {})
    expect(await h.engine.waitForRun(run.id, 10_000)).toMatchObject({
      status: 'failed',
      error: { step: 'b', kind: 'task_error' },
    })
    await h.engine.retry(run.id)
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({ status: 'completed', output: 3, error: undefined })
    expect((await h.store.getStepRuns(run.id)).map((s) => [s.seq, s.stepId, s.status])).toEqual([
      [1, 'a', 'succeeded'],
      [2, 'b', 'failed'],
      [3, 'b', 'succeeded'],
      [4, 'c', 'succeeded'],
    ])
    expect(await eventTypes(h.store, run.id)).toContain('run_retried')
    await expect(h.engine.retry(run.id)).rejects.toThrow(
      `run ${run.id} is completed; only a failed or timed-out run can be retried`,
    )
    await h.close()
    await solo.close()
  })

  test('two concurrent starts with one idempotency key give one run', async () => {
    const h = await setUp([{ name: 'once', steps: [{ id: 'a', task: 'inc', input: { n: 1 } }] }])
    const [first, second] = await Promise.all([
      h.engine.startRun('once', {}, { idempotencyKey: 'order-7' }),
      h.engine.startRun('once', {}, { idempotencyKey: 'order-7' }),
    ])
    expect(first.run.id).toBe(second.run.id)
    expect([first.created, second.created].sort()).toEqual([false, true])
    expect((await h.store.listRuns({ flow: 'once' })).items).toHaveLength(1)
    await h.close()
  })

  test('input that does not match the flow input schema is refused before a run exists', async () => {
    const h = await setUp([
      {
        name: 'typed',
        input: numberInput,
        steps: [{ id: 'a', task: 'inc', input: { n: '${input.n}' } }],
      },
    ])
    await expect(h.engine.startRun('typed', { n: 'x' })).rejects.toThrow(
      "the input does not match flow typed's input schema: /n: expected integer, found string",
    )
    expect((await h.store.listRuns({ flow: 'typed' })).items).toEqual([])
    await h.close()
  })

  test('operations on unknown or finished runs are refused', async () => {
    const h = await setUp([{ name: 'quick', steps: [{ id: 'a', task: 'inc', input: { n: 1 } }] }])
    await expect(h.engine.cancel('nope')).rejects.toThrow('run nope does not exist')
    const { run } = await h.engine.startRun('quick', {})
    await h.engine.waitForRun(run.id, 10_000)
    await expect(h.engine.pause(run.id)).rejects.toThrow(`run ${run.id} is completed`)
    await h.close()
  })
})

describe('recovery', () => {
  test('a retry timer that fell due while the process was down fires after restart, with the next attempt number', async () => {
    const clock = new ManualClock()
    const first = await setUp(
      [
        {
          name: 'later',
          steps: [
            {
              id: 'a',
              task: 'fail-below',
              input: { attempt: '${run.attempt}', until: 2 },
              retry: { initialIntervalMs: 60_000 },
            },
          ],
        },
      ],
      { clock },
    )
    const { run } = await first.engine.startRun('later', {})
    await untilStatus(first.store, run.id, 'waiting')
    await first.close()
    clock.advance(5 * 60_000)
    const second = await harness(pool, cache, { clock, dir: first.dir })
    expect(await second.engine.recover()).toBe(1)
    const done = await untilStatus(second.store, run.id, 'completed')
    expect(done.output).toBe(2)
    const [step] = await second.store.getStepRuns(run.id)
    expect(step?.attempts.map((a) => a.input)).toEqual([
      { attempt: 1, until: 2 },
      { attempt: 2, until: 2 },
    ])
    await second.close()
  })
})

describe('failure records', () => {
  test('a retried run numbers its attempts on, and the step gets its maximumAttempts afresh', async () => {
    const h = await setUp([
      {
        name: 'persistent',
        steps: [
          {
            id: 'a',
            task: 'fail-below',
            input: { attempt: '${run.attempt}', until: 4 },
            retry: { maximumAttempts: 2, initialIntervalMs: 1 },
          },
        ],
      },
    ])
    const { run } = await h.engine.startRun('persistent', {})
    expect((await h.engine.waitForRun(run.id, 10_000))?.status).toBe('failed')
    await h.engine.retry(run.id)
    const done = await h.engine.waitForRun(run.id, 10_000)
    expect(done).toMatchObject({ status: 'completed', output: 4 })
    const steps = await h.store.getStepRuns(run.id)
    expect(
      steps.map((s) => [s.seq, s.status, s.attempts.map((a) => [a.number, a.status])]),
    ).toEqual([
      [
        1,
        'failed',
        [
          [1, 'failed'],
          [2, 'failed'],
        ],
      ],
      [
        2,
        'succeeded',
        [
          [3, 'failed'],
          [4, 'succeeded'],
        ],
      ],
    ])
    await h.close()
  })

  test("a failed run's output records the failure, and a retry clears it", async () => {
    const solo = await WorkerPool.start({ cache, size: 1 })
    const h = await setUp([{ name: 'records', steps: [{ id: 'a', task: 'flaky', input: {} }] }], {
      executor: solo,
    })
    const { run } = await h.engine.startRun('records', {})
    const failed = await h.engine.waitForRun(run.id, 10_000)
    expect(failed?.output).toEqual({ error: failed?.error })
    expect((await h.store.getRun(run.id))?.output).toEqual({
      error: {
        step: 'a',
        task: 'flaky@1',
        kind: 'task_error',
        message: 'flaky: failed this call',
        details: 'flaky: failed this call',
        attempt: 1,
      },
    })
    await h.engine.retry(run.id)
    expect(await h.engine.waitForRun(run.id, 10_000)).toMatchObject({
      status: 'completed',
      output: 2,
      error: undefined,
    })
    await h.close()
    await solo.close()
  })
})
