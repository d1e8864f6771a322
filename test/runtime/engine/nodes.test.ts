/**
 * Several nodes on one database (libSQL, or PostgreSQL in the suite's second
 * pass), each an engine with its own store connection and node id: a run is
 * driven by the node that owns it and by no other; a node that stops releases
 * its runs and another takes them at once; a node that lost its lease (it did
 * not renew) is fenced: its commit is refused and it lets the run go, and the
 * run completes once, on the node that claimed it; a caller waits for a run
 * through a node that does not drive it; requests reach a run's owner; a
 * flow's concurrency limit holds across nodes; a run stored by a start whose
 * answer was lost is taken back by its node.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { engineTasksComponent, publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { losingAnswers } from '../../fixtures/lost-answers.js'
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

const fast = { leaseMs: 400, renewMs: 100 }

/** Two nodes on one database: `a` publishes; `b` is a second node on a directory of its own. */
async function twoNodes(
  leaseA = fast,
  leaseB = fast,
): Promise<{ a: Harness; b: Harness; logs: string[] }> {
  const logs: string[] = []
  const logger = {
    info: (_fields: Record<string, unknown>, message: string) => logs.push(`a: ${message}`),
    error: (_fields: Record<string, unknown>, message: string) => logs.push(`a: ${message}`),
  }
  const a = await harness(pool, cache, { lease: leaseA, logger })
  const b = await harness(pool, cache, {
    dir: mkdtempSync(join(tmpdir(), 'weir-node-b-')),
    url: a.url,
    lease: leaseB,
  })
  await publishEngineTasks(a.catalog)
  await a.catalog.publishFlow({
    name: 'napping',
    steps: [
      { id: 'first', task: 'inc', input: { n: 1 } },
      { id: 'nap', sleep: 'PT1S' },
      { id: 'last', task: 'inc', input: { n: '${steps.first.output}' } },
    ],
    output: '${steps.last.output}',
  })
  return { a, b, logs }
}

const stepRuns = async (h: Harness, id: string) =>
  (await h.store.getStepRuns(id)).map((s) => [s.stepId, s.status, s.attempts.length])

test('a run is driven by the node that owns it; the other node does not touch it', async () => {
  const { a, b } = await twoNodes()
  await a.engine.recover()
  expect(await b.engine.recover()).toBe(0)
  const runs = await Promise.all(Array.from({ length: 6 }, () => a.engine.startRun('napping', {})))
  for (const { run } of runs)
    expect((await untilStatus(a.store, run.id, 'completed')).output).toBe(3)
  for (const { run } of runs)
    expect(await stepRuns(a, run.id)).toEqual([
      ['first', 'succeeded', 1],
      ['nap', 'succeeded', 0],
      ['last', 'succeeded', 1],
    ])
  expect((await b.store.listNodes(60_000)).map((n) => n.runs)).toEqual([0, 0])
  await Promise.all([a.close(), b.close()])
})

test('a caller waits for a run through a node that does not drive it', async () => {
  const { a, b } = await twoNodes()
  const { run } = await a.engine.startRun('napping', {})
  const [viaB, tooSoon] = await Promise.all([
    b.engine.waitForRun(run.id, 10_000),
    b.engine.waitForRun(run.id, 200),
  ])
  expect([viaB?.status, viaB?.output, tooSoon]).toEqual(['completed', 3, undefined])
  expect(await b.engine.waitForRun('no-such-run', 1000)).toBeUndefined()
  await Promise.all([a.close(), b.close()])
})

test('a node that stops releases its runs; another takes them at once and finishes them', async () => {
  const { a, b } = await twoNodes({ leaseMs: 60_000, renewMs: 10_000 })
  await b.engine.recover()
  const { run } = await a.engine.startRun('napping', {})
  await untilStatus(a.store, run.id, 'waiting')
  const stoppedAt = Date.now()
  await a.engine.stop()
  const done = await untilStatus(b.store, run.id, 'completed')
  // Well before a's 60 s lease would have expired.
  expect(Date.now() - stoppedAt).toBeLessThan(5000)
  expect(done.output).toBe(3)
  expect(await stepRuns(b, run.id)).toEqual([
    ['first', 'succeeded', 1],
    ['nap', 'succeeded', 0],
    ['last', 'succeeded', 1],
  ])
  await Promise.all([a.store.close(), b.close()])
})

test('a node that lost its lease is fenced: it lets the run go, which completes once elsewhere', async () => {
  // a never renews (its loop is not started); b claims what a let expire.
  const { a, b, logs } = await twoNodes({ leaseMs: 300, renewMs: 150 })
  const { run } = await a.engine.startRun('napping', {})
  await untilStatus(a.store, run.id, 'waiting')
  await b.engine.recover()
  const done = await untilStatus(b.store, run.id, 'completed')
  expect(done.output).toBe(3)
  // a wakes from the nap too, runs the last step and is refused its commit.
  for (let i = 0; i < 100 && !logs.includes('a: run taken over by another node'); i++)
    await new Promise((r) => setTimeout(r, 50))
  expect(logs).toContain('a: run taken over by another node')
  expect(await stepRuns(b, run.id)).toEqual([
    ['first', 'succeeded', 1],
    ['nap', 'succeeded', 0],
    ['last', 'succeeded', 1],
  ])
  const events = (await b.store.listEvents(run.id)).items.map((e) => e.type)
  expect(events.filter((t) => t === 'run_completed')).toHaveLength(1)
  await Promise.all([a.close(), b.close()])
})

test('operations, events and callbacks sent to a node that does not drive the run are applied by its owner', async () => {
  const { a, b } = await twoNodes()
  await a.engine.recover()
  await b.engine.recover()
  await a.catalog.publishFlow({
    name: 'signalled',
    steps: [
      { id: 'wait', waitFor: 'go', schema: { type: 'object', required: ['n'] } },
      { id: 'add', task: 'inc', input: { n: 1 } },
    ],
  })
  const { run } = await a.engine.startRun('signalled', {})
  await untilStatus(a.store, run.id, 'waiting')
  // Refused by the owner as it would refuse it itself: the same code and message.
  await expect(b.engine.deliverEvent(run.id, 'stop', {})).rejects.toMatchObject({
    code: 'conflict',
    message: `run ${run.id} is not waiting for event "stop": its step "wait" waits for "go"`,
  })
  await expect(b.engine.deliverEvent(run.id, 'go', {})).rejects.toMatchObject({
    code: 'invalid_document',
  })
  const paused = await b.engine.pause(run.id)
  expect([paused.id, paused.status]).toEqual([run.id, 'paused'])
  expect((await b.engine.resume(run.id)).id).toBe(run.id)
  const delivered = await b.engine.deliverEvent(run.id, 'go', { n: 7 })
  expect(delivered.id).toBe(run.id)
  expect((await untilStatus(b.store, run.id, 'completed')).status).toBe('completed')
  // The run stayed on its owner all along.
  expect((await b.store.runOwner(run.id))?.owner).toBe(a.engine.node.id)

  const { run: other } = await a.engine.startRun('signalled', {})
  await untilStatus(a.store, other.id, 'waiting')
  expect((await b.engine.cancel(other.id)).id).toBe(other.id)
  expect((await untilStatus(a.store, other.id, 'cancelled')).status).toBe('cancelled')
  await expect(b.engine.cancel('01AAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({
    code: 'not_found',
  })
  await Promise.all([a.close(), b.close()])
})

test('a callback sent to a node that does not drive the run completes its step at the owner', async () => {
  const { a, b } = await twoNodes()
  await a.engine.recover()
  await b.engine.recover()
  await a.catalog.publishTask(
    {
      name: 'ask',
      export: 'inc',
      mode: 'async',
      output: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } },
    },
    await engineTasksComponent(),
  )
  await a.catalog.publishFlow({
    name: 'asking',
    steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }],
  })
  const { run } = await a.engine.startRun('asking', {})
  await untilStatus(a.store, run.id, 'waiting')
  const [step] = await a.store.getStepRuns(run.id)
  const token = step?.callback?.token ?? ''
  await expect(
    b.engine.callback(token, { status: 'succeeded', output: { ok: 'yes' } }),
  ).rejects.toMatchObject({
    code: 'invalid_document',
    message: expect.stringContaining(
      "the callback's output does not match task ask's output schema: /ok",
    ),
  })
  const answered = await b.engine.callback(token, { status: 'succeeded', output: { ok: true } })
  expect([answered.run.id, answered.step]).toEqual([run.id, 'ask'])
  expect((await untilStatus(b.store, run.id, 'completed')).output).toEqual({ ok: true })
  await expect(
    b.engine.callback(token, { status: 'succeeded', output: { ok: true } }),
  ).rejects.toMatchObject({
    code: 'conflict',
  })
  expect((await b.store.runOwner(run.id))?.owner).toBe(a.engine.node.id)
  await Promise.all([a.close(), b.close()])
})

test('a request the owner reads after its run finished is answered as for a finished run', async () => {
  const { a, b } = await twoNodes()
  await a.engine.recover()
  const { run } = await a.engine.startRun('napping', {})
  await untilStatus(a.store, run.id, 'completed')
  // As if b had recorded it just before the run finished.
  await b.store.addRunRequest({
    id: 'late-1',
    runId: run.id,
    kind: 'cancel',
    body: {},
    createdAt: 1,
  })
  let answer: unknown
  for (let i = 0; i < 100 && answer === undefined; i++) {
    await new Promise((r) => setTimeout(r, 20))
    answer = await b.store.collectRunAnswer('late-1')
  }
  expect(answer).toEqual({
    ok: false,
    code: 'conflict',
    message: `run ${run.id} is completed`,
    problems: [],
  })
  await Promise.all([a.close(), b.close()])
})

test('a request for a run whose owner is gone is applied by the node that receives it, which takes the run', async () => {
  const { a, b } = await twoNodes(
    { leaseMs: 300, renewMs: 150 },
    { leaseMs: 60_000, renewMs: 10_000 },
  )
  await a.catalog.publishFlow({
    name: 'signalled',
    steps: [
      { id: 'wait', waitFor: 'go' },
      { id: 'add', task: 'inc', input: { n: 1 } },
    ],
  })
  // a never renews: its lease runs out; b's own claim loop is slow, so the event is what moves the run.
  const { run } = await a.engine.startRun('signalled', {})
  await untilStatus(a.store, run.id, 'waiting')
  await new Promise((r) => setTimeout(r, 400))
  await b.engine.deliverEvent(run.id, 'go', {})
  expect((await untilStatus(b.store, run.id, 'completed')).status).toBe('completed')
  expect((await b.store.runOwner(run.id))?.owner).toBe(b.engine.node.id)
  await Promise.all([a.close(), b.close()])
})

test("a flow's concurrency limit holds across nodes: never more runs going than it allows", async () => {
  const { a, b } = await twoNodes()
  await a.engine.recover()
  await b.engine.recover()
  await a.catalog.publishFlow({
    name: 'one-at-a-time',
    concurrency: { limit: 1 },
    steps: [
      { id: 'nap', sleep: 'PT0.3S' },
      { id: 'add', task: 'inc', input: { n: 1 } },
    ],
  })
  const started = await Promise.all([
    a.engine.startRun('one-at-a-time', {}),
    b.engine.startRun('one-at-a-time', {}),
    a.engine.startRun('one-at-a-time', {}),
    b.engine.startRun('one-at-a-time', {}),
  ])
  let most = 0
  const going = async () => {
    const result = await a.store.client.execute(
      "SELECT COUNT(*) AS n FROM runs WHERE flow_name = 'one-at-a-time' AND status IN ('running', 'waiting', 'paused')",
    )
    return Number(result.rows[0]?.n)
  }
  for (;;) {
    most = Math.max(most, await going())
    const runs = await Promise.all(started.map(({ run }) => a.store.getRun(run.id)))
    if (runs.every((r) => r?.status === 'completed')) break
    await new Promise((r) => setTimeout(r, 20))
  }
  expect(most).toBe(1)
  const queuedSomewhere = await Promise.all(
    started.map(async ({ run }) => (await a.store.listEvents(run.id)).items.map((e) => e.type)[0]),
  )
  expect(queuedSomewhere.filter((t) => t === 'run_queued').length).toBe(3)
  await Promise.all([a.close(), b.close()])
})

test('a run whose start answer was lost is taken back by its node and completes once; the retried start returns it', async () => {
  const answers = { lost: 0 }
  const a = await harness(pool, cache, {
    lease: fast,
    seenBy: (store) => losingAnswers(store, 'createRun', answers),
  })
  await publishEngineTasks(a.catalog)
  await a.catalog.publishFlow({
    name: 'once',
    steps: [{ id: 'add', task: 'inc', input: { n: 1 } }],
  })
  await a.engine.recover()
  answers.lost = 1
  const lost = a.engine.startRun('once', {}, { idempotencyKey: 'k1' })
  await expect(lost).rejects.toMatchObject({ code: 'storage_unavailable' })
  const again = await a.engine.startRun('once', {}, { idempotencyKey: 'k1' })
  expect(again.created).toBe(false)
  const done = await untilStatus(a.store, again.run.id, 'completed')
  expect(done.output).toBe(2)
  expect(await stepRuns(a, again.run.id)).toEqual([['add', 'succeeded', 1]])
  await a.close()
})
