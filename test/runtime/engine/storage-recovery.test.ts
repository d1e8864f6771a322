/**
 * Runs through storage faults, on a real libSQL file made read-only
 * (`PRAGMA query_only`: every write fails with SQLITE_READONLY, on the store's
 * one connection) and a real executor, with a manual clock: a change the run
 * loop cannot commit is tried again (100 ms, doubling) and commits by itself
 * when writes work again; stopping gives the retries up and the next start
 * resumes the run; an operation storage refuses is answered with the fault and
 * leaves the run as it was; an event payload that cannot be stored is refused
 * alone while other runs go on; a change committed although storage reported a
 * fault (the answer to COMMIT lost) is not written twice, and an operation so
 * committed is answered as done.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Catalog } from '../../../runtime/catalog/catalog.js'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { ManualClock } from '../../../runtime/engine/clock.js'
import { Engine } from '../../../runtime/engine/engine.js'
import { UnstorableValueError } from '../../../runtime/errors.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { LibsqlStore } from '../../../runtime/store/index.js'
import type { Store } from '../../../runtime/store/store.js'
import type { JsonValue } from '../../../types/index.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
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

const readOnly = 'the database cannot be written: it is read-only (SQLITE_READONLY); retry later'

/** Sleeps a minute, then adds one. */
const napping = {
  name: 'napping',
  steps: [
    { id: 'nap', sleep: 'PT1M' },
    { id: 'add', task: 'inc', input: { n: 41 } },
  ],
  output: { n: '${steps.add.output}' },
}
const signalled = {
  name: 'signalled',
  steps: [
    { id: 'wait', waitFor: 'go' },
    { id: 'add', task: 'inc', input: { n: 1 } },
  ],
}
const quick = { name: 'quick', steps: [{ id: 'add', task: 'inc', input: { n: 1 } }] }
const doomed = { name: 'doomed', steps: [{ id: 'boom', task: 'trap', input: {} }] }

interface Logged {
  readonly level: 'info' | 'error'
  readonly fields: Record<string, unknown>
  readonly message: string
}

async function setUp(
  clock: ManualClock,
  dir = mkdtempSync(join(tmpdir(), 'weir-recovery-')),
  seenBy: (store: LibsqlStore) => Store = (store) => store,
) {
  const store = await LibsqlStore.open({
    url: `file:${join(dir, 'weir.db')}`,
    now: () => clock.now(),
  })
  const catalog = new Catalog(seenBy(store), cache)
  const logs: Logged[] = []
  const logger = {
    info: (fields: Record<string, unknown>, message: string) =>
      logs.push({ level: 'info', fields, message }),
    error: (fields: Record<string, unknown>, message: string) =>
      logs.push({ level: 'error', fields, message }),
  }
  // One node across the restarts of this directory.
  const engine = new Engine({
    store: seenBy(store),
    executor: pool,
    catalog,
    clock,
    logger,
    node: { id: 'recovery' },
  })
  const writes = (on: boolean) => store.client.execute(`PRAGMA query_only = ${on ? 0 : 1}`)
  return { dir, store, catalog, engine, logs, writes }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

/** The history of a napping run that completed: each event once, numbered without gaps. */
async function expectNapHistory(store: Store, id: string): Promise<void> {
  const events = (await store.listEvents(id)).items
  expect(events.map((e) => [e.seq, e.type, e.stepId])).toEqual([
    [1, 'run_started', undefined],
    [2, 'step_started', 'nap'],
    [3, 'step_succeeded', 'nap'],
    [4, 'step_started', 'add'],
    [5, 'step_succeeded', 'add'],
    [6, 'run_completed', undefined],
  ])
}

const refused = (logs: Logged[], run: string) => () =>
  logs.some((l) => l.message.startsWith('storage refused') && l.fields.run === run)

describe('storage faults in the engine', () => {
  test('a change storage refuses is committed again by itself when writes work again', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow(napping)
    const { run } = await h.engine.startRun('napping', {})
    await untilStatus(h.store, run.id, 'waiting')
    await h.writes(false)
    clock.advance(60_000)
    await until(refused(h.logs, run.id), 'the refused commit')
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        fields: {
          run: run.id,
          flow: 'napping',
          err: expect.objectContaining({ message: readOnly }),
          retryInMs: 100,
        },
        message: 'storage refused a run change; retrying until it takes it',
      },
    ])
    expect(h.store.storage.status).toBe('unavailable')
    // Meanwhile the run stays at its last committed state, in memory and stored.
    expect(h.engine.activeRun(run.id)?.status).toBe('waiting')
    expect((await h.store.getRun(run.id))?.status).toBe('waiting')

    const pausing = clock.pending
    clock.advance(100) // the second try: still refused; the next waits 200 ms
    expect(clock.pending).toBe(pausing - 1)
    await until(() => clock.pending === pausing, 'the next pause')
    await h.writes(true)
    clock.advance(200)
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({ n: 42 })
    expect(h.store.storage.status).toBe('ok')
    expect(h.logs.filter((l) => l.message.startsWith('run change committed'))).toEqual([
      {
        level: 'info',
        fields: { run: run.id, flow: 'napping', tries: 3 },
        message: 'run change committed: storage is back',
      },
    ])
    await expectNapHistory(h.store, run.id)
    await h.engine.stop()
    await h.store.close()
  })

  test('a change committed although storage reported a fault is not written twice', async () => {
    const clock = new ManualClock()
    const answers = { lost: 0 }
    const h = await setUp(clock, undefined, (store) => losingAnswers(store, 'commit', answers))
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow(napping)
    const { run } = await h.engine.startRun('napping', {})
    await untilStatus(h.store, run.id, 'waiting')
    answers.lost = 1
    clock.advance(60_000)
    await until(refused(h.logs, run.id), 'the fault after the commit')
    clock.advance(100)
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({ n: 42 })
    expect(h.logs.filter((l) => l.message === 'run stopped')).toEqual([])
    await expectNapHistory(h.store, run.id)
    await h.engine.stop()
    await h.store.close()
  })

  test('an operation committed although storage reported a fault is answered as done, and the run goes on', async () => {
    const clock = new ManualClock()
    const answers = { lost: 0 }
    const h = await setUp(clock, undefined, (store) => losingAnswers(store, 'commit', answers))
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow(signalled)
    const { run } = await h.engine.startRun('signalled', {})
    await untilStatus(h.store, run.id, 'waiting')
    answers.lost = 1
    expect((await h.engine.pause(run.id)).status).toBe('paused')
    expect((await h.store.getRun(run.id))?.status).toBe('paused')
    await h.engine.resume(run.id)
    await h.engine.deliverEvent(run.id, 'go', {})
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toBe(2)
    const types = (await h.store.listEvents(run.id)).items.map((e) => e.type)
    expect(types).toEqual([
      'run_started',
      'step_started',
      'run_paused',
      'run_resumed',
      'step_succeeded',
      'step_started',
      'step_succeeded',
      'run_completed',
    ])
    await h.engine.stop()
    await h.store.close()
  })

  test('stopping gives the retries up at once; the next start resumes the run', async () => {
    const clock = new ManualClock()
    const first = await setUp(clock)
    await publishEngineTasks(first.catalog)
    await first.catalog.publishFlow(napping)
    const { run } = await first.engine.startRun('napping', {})
    await untilStatus(first.store, run.id, 'waiting')
    await first.writes(false)
    clock.advance(60_000)
    await until(refused(first.logs, run.id), 'the refused commit')
    await first.engine.stop() // resolves although the manual clock never ends the pause
    // The run stops; the leases cannot be released either (the next start is this node again).
    expect(first.logs.slice(-2)).toEqual([
      {
        level: 'error',
        fields: {
          run: run.id,
          flow: 'napping',
          err: expect.objectContaining({ message: readOnly }),
        },
        message: 'run stopped',
      },
      {
        level: 'error',
        fields: { node: 'recovery', err: expect.objectContaining({ message: readOnly }) },
        message: 'could not release leases; other nodes take the runs when they expire',
      },
    ])
    await first.store.close()

    const second = await setUp(clock, first.dir)
    expect(await second.engine.recover()).toBe(1)
    const done = await untilStatus(second.store, run.id, 'completed')
    expect(done.output).toEqual({ n: 42 })
    const types = (await second.store.listEvents(run.id)).items.map((e) => e.type)
    expect(types).toEqual([
      'run_started',
      'step_started',
      'step_succeeded',
      'step_started',
      'step_succeeded',
      'run_completed',
    ])
    await second.engine.stop()
    await second.store.close()
  })

  test('an operation storage refuses is answered with the fault; the run goes on as before', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    await publishEngineTasks(h.catalog)
    for (const flow of [napping, doomed]) await h.catalog.publishFlow(flow)
    const { run } = await h.engine.startRun('napping', {})
    const { run: failing } = await h.engine.startRun('doomed', {})
    await untilStatus(h.store, run.id, 'waiting')
    await untilStatus(h.store, failing.id, 'failed')

    await h.writes(false)
    await expect(h.engine.cancel(run.id)).rejects.toMatchObject({
      code: 'storage_unavailable',
      status: 503,
      message: readOnly,
    })
    await expect(h.engine.retry(failing.id)).rejects.toMatchObject({
      code: 'storage_unavailable',
      message: readOnly,
    })
    expect(h.engine.activeRun(run.id)?.status).toBe('waiting')
    expect(h.engine.activeRun(failing.id)).toBeUndefined()
    await h.writes(true)

    // The sleep's timer is still armed: the run ends its sleep and completes, not cancelled.
    clock.advance(60_000)
    expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({ n: 42 })
    // The refused retry left nothing behind: a retry now restarts the run.
    expect((await h.engine.retry(failing.id)).status).toBe('running')
    await untilStatus(h.store, failing.id, 'failed')
    await h.engine.stop()
    await h.store.close()
  })

  test('an event payload that cannot be stored is refused alone; other runs go on', async () => {
    const clock = new ManualClock()
    const h = await setUp(clock)
    await publishEngineTasks(h.catalog)
    for (const flow of [signalled, quick]) await h.catalog.publishFlow(flow)
    const { run } = await h.engine.startRun('signalled', {})
    await untilStatus(h.store, run.id, 'waiting')
    const bigint = { n: 1n } as unknown as JsonValue
    const [refusal, ...others] = await Promise.allSettled([
      h.engine.deliverEvent(run.id, 'go', bigint),
      ...Array.from({ length: 10 }, () => h.engine.startRun('quick', {})),
    ])
    expect(refusal?.status).toBe('rejected')
    const error = (refusal as PromiseRejectedResult).reason
    expect(error).toBeInstanceOf(UnstorableValueError)
    expect([error.code, error.message]).toEqual([
      'invalid_request',
      `run ${run.id}: the output of its step run cannot be stored: it holds a BigInt, which JSON cannot represent`,
    ])
    for (const other of others) {
      expect(other.status).toBe('fulfilled')
      if (other.status === 'fulfilled') await untilStatus(h.store, other.value.run.id, 'completed')
    }
    expect(h.engine.activeRun(run.id)?.status).toBe('waiting')
    await h.engine.deliverEvent(run.id, 'go', { ok: true })
    await untilStatus(h.store, run.id, 'completed')
    expect(h.store.storage.status).toBe('ok')
    await h.engine.stop()
    await h.store.close()
  })
})
