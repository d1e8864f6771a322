/**
 * Async steps on a real store and executor with a manual clock: the component
 * runs, the step waits for its callback; keep-alives move the heartbeat
 * deadline, the fail-safe ends the wait regardless, a token completes once,
 * and all of it survives a restart.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { ManualClock } from '../../../runtime/engine/clock.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { engineTasksComponent, publishEngineTasks } from '../../fixtures/engine-tasks.js'
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

const approval = {
  name: 'approval',
  steps: [
    { id: 'ask', task: 'ask', input: { n: 1 } },
    { id: 'after', task: 'inc', input: { n: 5 } },
  ],
  output: { approved: '${steps.ask.output.approved}' },
}

async function setUp(clock: ManualClock, dir?: string): Promise<Harness> {
  const h = await harness(pool, cache, { clock, ...(dir ? { dir } : {}) })
  if (!dir) {
    await publishEngineTasks(h.catalog)
    await h.catalog.publishTask(
      {
        name: 'ask',
        export: 'inc',
        mode: 'async',
        output: {
          type: 'object',
          required: ['approved'],
          properties: { approved: { type: 'boolean' } },
        },
        callback: { heartbeatTimeoutMs: 1000, timeoutMs: 10_000 },
      },
      await engineTasksComponent(),
    )
    await h.catalog.publishFlow(approval)
  }
  return h
}

async function waitingRun(h: Harness) {
  const since = h.engine
  const { run } = await since.startRun('approval', {})
  await untilStatus(h.store, run.id, 'waiting')
  const [ask] = await h.store.getStepRuns(run.id)
  return { id: run.id, token: ask?.callback?.token as string, ask }
}

const settle = () => new Promise((r) => setTimeout(r, 30))

test('the component runs, then the step waits for its callback, whose output it becomes', async () => {
  const clock = new ManualClock()
  const h = await setUp(clock)
  const start = clock.now()
  const { id, token, ask } = await waitingRun(h)
  expect(token).toMatch(new RegExp(`^${id}\\.1\\.[A-Za-z0-9_-]{32}$`))
  expect([ask?.status, ask?.input, ask?.attempts.map((a) => [a.status, a.output])]).toEqual([
    'waiting',
    { n: 1 },
    [['succeeded', 2]],
  ])
  expect((await h.store.getRun(id))?.waiting).toMatchObject({
    kind: 'callback',
    since: start,
    heartbeatDeadline: start + 1000,
    deadline: start + 10_000,
  })
  await expect(
    h.engine.callback(token, { status: 'succeeded', output: { approved: 'yes' } }),
  ).rejects.toMatchObject({
    code: 'invalid_document',
    message: `the callback's output does not match task ask's output schema: /approved: expected boolean, found string`,
  })
  // The token with its last character changed (to another one: a random token may end in A).
  const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
  await expect(h.engine.callback(tampered, { status: 'heartbeat' })).rejects.toMatchObject({
    code: 'not_found',
    message: 'no callback has this token',
  })
  await h.engine.callback(token, { status: 'succeeded', output: { approved: true } })
  const done = await untilStatus(h.store, id, 'completed')
  expect(done.output).toEqual({ approved: true })
  const [finished] = await h.store.getStepRuns(id)
  expect([finished?.status, finished?.input, finished?.output, finished?.callback?.token]).toEqual([
    'succeeded',
    { n: 1 },
    { approved: true },
    token,
  ])
  await expect(
    h.engine.callback(token, { status: 'succeeded', output: { approved: false } }),
  ).rejects.toMatchObject({
    code: 'conflict',
    message: `the callback of step "ask" of run ${id} is no longer awaited: the step succeeded`,
  })
  const types = (await h.store.listEvents(id)).items.map((e) => `${e.type}:${e.stepId ?? ''}`)
  expect(types.slice(0, 4)).toEqual([
    'run_started:',
    'step_started:ask',
    'step_waiting:ask',
    'step_succeeded:ask',
  ])
  await h.close()
})

test('keep-alives move the heartbeat deadline; without them the step times out', async () => {
  const clock = new ManualClock()
  const h = await setUp(clock)
  const kept = await waitingRun(h)
  const lapsed = await waitingRun(h)
  clock.advance(900)
  await h.engine.callback(kept.token, { status: 'heartbeat' })
  clock.advance(600)
  await settle()
  expect((await h.store.getRun(kept.id))?.status).toBe('waiting')
  const failed = await untilStatus(h.store, lapsed.id, 'failed')
  expect(failed.error).toMatchObject({
    step: 'ask',
    task: 'ask@1',
    kind: 'timeout',
    message: 'no keep-alive arrived within 1000 ms',
  })
  const [ask] = await h.store.getStepRuns(lapsed.id)
  expect(ask?.status).toBe('timed_out')
  await h.close()
})

test('the fail-safe ends the wait whatever keep-alives arrive', async () => {
  const clock = new ManualClock()
  const h = await setUp(clock)
  const { id, token } = await waitingRun(h)
  for (let i = 0; i < 11; i++) {
    clock.advance(900)
    await h.engine.callback(token, { status: 'heartbeat' })
  }
  await settle()
  expect((await h.store.getRun(id))?.status).toBe('waiting')
  clock.advance(100)
  const failed = await untilStatus(h.store, id, 'failed')
  expect(failed.error?.message).toBe('no callback arrived within 10000 ms')
  await h.close()
})

test('a failed callback fails the step with its message and details', async () => {
  const clock = new ManualClock()
  const h = await setUp(clock)
  const { id, token } = await waitingRun(h)
  await h.engine.callback(token, {
    status: 'failed',
    error: { message: 'declined', details: { by: 'ops' } },
  })
  const failed = await untilStatus(h.store, id, 'failed')
  expect(failed.error).toEqual({
    step: 'ask',
    task: 'ask@1',
    kind: 'task_error',
    message: 'declined',
    details: { by: 'ops' },
    attempt: 1,
  })
  await h.close()
})

test('a step waiting for its callback survives a restart, and so do its deadlines', async () => {
  const clock = new ManualClock()
  const first = await setUp(clock)
  const answered = await waitingRun(first)
  const forgotten = await waitingRun(first)
  await first.close()
  clock.advance(500)
  const second = await setUp(clock, first.dir)
  expect(await second.engine.recover()).toBe(2)
  await second.engine.callback(answered.token, { status: 'succeeded', output: { approved: false } })
  expect((await untilStatus(second.store, answered.id, 'completed')).output).toEqual({
    approved: false,
  })
  clock.advance(600)
  expect((await untilStatus(second.store, forgotten.id, 'failed')).error?.kind).toBe('timeout')
  await second.close()
})

test('an async step whose callback failed is retried: its component runs again and waits for a new callback', async () => {
  const clock = new ManualClock()
  const h = await setUp(clock)
  await h.catalog.publishFlow({
    ...approval,
    name: 'patient',
    steps: [
      {
        id: 'ask',
        task: 'ask',
        input: { n: 1 },
        retry: { maximumAttempts: 2, initialIntervalMs: 100 },
      },
      { id: 'after', task: 'inc', input: { n: 5 } },
    ],
  })
  const { run } = await h.engine.startRun('patient', {})
  await untilStatus(h.store, run.id, 'waiting')
  const first = (await h.store.getStepRuns(run.id))[0]?.callback?.token as string
  await h.engine.callback(first, { status: 'failed', error: { message: 'declined' } })
  expect((await h.store.getRun(run.id))?.waiting).toBeUndefined()
  clock.advance(100)
  let second = first
  for (let i = 0; i < 200 && second === first; i++) {
    await settle()
    second = (await h.store.getStepRuns(run.id))[0]?.callback?.token ?? first
  }
  expect(second).not.toBe(first)
  const [ask] = await h.store.getStepRuns(run.id)
  expect(ask?.attempts.map((a) => a.number)).toEqual([1, 2])
  await h.engine.callback(second, { status: 'succeeded', output: { approved: true } })
  expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({ approved: true })
  await h.close()
})
