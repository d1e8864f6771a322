/**
 * One bad change fails alone: values are serialized before a change joins a
 * group commit, so a value JSON cannot hold (nested 10,000 levels deep, a
 * BigInt) rejects its own new run or run change while the others submitted in
 * the same tick commit; and a group that still fails (a constraint) is written
 * again one submission at a time. On a real libSQL file.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { UnstorableValueError } from '../../../runtime/errors.js'
import { LibsqlStore } from '../../../runtime/store/index.js'
import type { NewRun, RunChange, RunProgress } from '../../../runtime/store/store.js'
import type { JsonValue } from '../../../types/index.js'

let store: LibsqlStore

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-isolation-'))
  store = await LibsqlStore.open({ url: `file:${join(dir, 'weir.db')}`, now: () => 5000 })
})

afterEach(async () => {
  await store.close()
})

/** An array nested `depth` levels deep: JSON.stringify overflows the stack on it. */
function nested(depth: number): JsonValue {
  let value: JsonValue = []
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

/** A BigInt where JSON is expected, as a buggy caller could pass it. */
const bigint = { n: 10n } as unknown as JsonValue

const running: RunProgress = {
  status: 'running',
  currentStep: 'a',
  attempt: 1,
  stepSeq: 1,
  stepRuns: 1,
  previousStep: undefined,
  wakeAt: undefined,
  deadline: undefined,
  eventSeq: 1,
  startedAt: 1,
}

const newRun = (id: string, input: JsonValue, idempotencyKey?: string): NewRun => ({
  id,
  flow: { name: 'f', version: 1 },
  process: 'p',
  input,
  createdAt: 1000,
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  progress: running,
  events: [{ type: 'run_started', at: 1000, data: {} }],
})

/** The change that completes a run with `output`, its attempt's `data` in the step_succeeded event. */
const completion = (runId: string, output: JsonValue, data: JsonValue = {}): RunChange => ({
  runId,
  progress: {
    ...running,
    status: 'completed',
    currentStep: undefined,
    eventSeq: 3,
    output,
    finishedAt: 2000,
  },
  stepRun: {
    seq: 1,
    stepId: 'a',
    status: 'succeeded',
    task: { name: 't', version: 1 },
    input: { n: 1 },
    output,
    error: undefined,
    startedAt: 1500,
    finishedAt: 2000,
  },
  events: [
    { type: 'step_succeeded', at: 2000, stepId: 'a', data },
    { type: 'run_completed', at: 2000, data: {} },
  ],
})

const rows = async (sql: string) =>
  (await store.client.execute(sql)).rows.map((row) => ({ ...row }))

describe('group commit isolation', () => {
  test('a run change whose value cannot be serialized fails alone; the others in its tick commit', async () => {
    for (const id of ['r1', 'r2', 'r3', 'r4']) await store.createRun(newRun(id, { id }))
    const results = await Promise.allSettled([
      store.commit([completion('r1', { n: 1 })]),
      store.commit([completion('r2', nested(10_000))]),
      store.commit([completion('r3', { n: 3 })]),
      store.commit([completion('r4', { n: 4 }, bigint)]),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected'])
    const [, deep, , big] = results.map((r) => (r.status === 'rejected' ? r.reason : undefined))
    expect(deep).toBeInstanceOf(UnstorableValueError)
    expect([deep.code, deep.status, deep.message, deep.cause]).toEqual([
      'invalid_request',
      400,
      'run r2: its output cannot be stored: it nests too deeply to be written as JSON',
      expect.any(RangeError),
    ])
    expect([big.code, big.message]).toEqual([
      'invalid_request',
      'run r4: the data of its events cannot be stored: it holds a BigInt, which JSON cannot represent',
    ])
    expect(
      await rows('SELECT id, status, output, event_seq, updated_at FROM runs ORDER BY id'),
    ).toEqual([
      { id: 'r1', status: 'completed', output: '{"n":1}', event_seq: 3, updated_at: 5000 },
      { id: 'r2', status: 'running', output: null, event_seq: 1, updated_at: 1000 },
      { id: 'r3', status: 'completed', output: '{"n":3}', event_seq: 3, updated_at: 5000 },
      { id: 'r4', status: 'running', output: null, event_seq: 1, updated_at: 1000 },
    ])
    expect(await rows('SELECT run_id, seq, status, output FROM step_runs ORDER BY run_id')).toEqual(
      [
        { run_id: 'r1', seq: 1, status: 'succeeded', output: '{"n":1}' },
        { run_id: 'r3', seq: 1, status: 'succeeded', output: '{"n":3}' },
      ],
    )
    expect(await rows('SELECT run_id, seq, type FROM events ORDER BY run_id, seq')).toEqual([
      { run_id: 'r1', seq: 1, type: 'run_started' },
      { run_id: 'r1', seq: 2, type: 'step_succeeded' },
      { run_id: 'r1', seq: 3, type: 'run_completed' },
      { run_id: 'r2', seq: 1, type: 'run_started' },
      { run_id: 'r3', seq: 1, type: 'run_started' },
      { run_id: 'r3', seq: 2, type: 'step_succeeded' },
      { run_id: 'r3', seq: 3, type: 'run_completed' },
      { run_id: 'r4', seq: 1, type: 'run_started' },
    ])
  })

  test('a new run whose input cannot be serialized fails alone; the runs started beside it are stored', async () => {
    const results = await Promise.allSettled([
      store.createRun(newRun('a', { n: 1 })),
      store.createRun(newRun('deep', nested(10_000))),
      store.createRun(newRun('b', { n: 2 }, 'key-b')),
      store.createRun(newRun('big', bigint, 'key-big')),
      store.createRun(newRun('c', { n: 3 })),
    ])
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ])
    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason.message : undefined))
    expect(reasons).toEqual([
      undefined,
      'run deep: its input cannot be stored: it nests too deeply to be written as JSON',
      undefined,
      'run big: its input cannot be stored: it holds a BigInt, which JSON cannot represent',
      undefined,
    ])
    expect(await rows('SELECT id, status, input, idempotency_key FROM runs ORDER BY id')).toEqual([
      { id: 'a', status: 'running', input: '{"n":1}', idempotency_key: null },
      { id: 'b', status: 'running', input: '{"n":2}', idempotency_key: 'key-b' },
      { id: 'c', status: 'running', input: '{"n":3}', idempotency_key: null },
    ])
    expect(await rows('SELECT flow_name, key, run_id FROM idempotency_keys')).toEqual([
      { flow_name: 'f', key: 'key-b', run_id: 'b' },
    ])
    expect(await rows('SELECT run_id, seq, type FROM events ORDER BY run_id')).toEqual([
      { run_id: 'a', seq: 1, type: 'run_started' },
      { run_id: 'b', seq: 1, type: 'run_started' },
      { run_id: 'c', seq: 1, type: 'run_started' },
    ])
  })

  test('a group that fails on a constraint is written again one submission at a time', async () => {
    const results = await Promise.allSettled([
      store.createRun(newRun('same', { n: 1 })),
      store.createRun(newRun('same', { n: 2 })),
      store.createRun(newRun('other', { n: 3 })),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const reason = (results[1] as PromiseRejectedResult).reason
    expect([reason.code, reason.extendedCode]).toEqual([
      'SQLITE_CONSTRAINT',
      'SQLITE_CONSTRAINT_PRIMARYKEY',
    ])
    expect(await rows('SELECT id, input FROM runs ORDER BY id')).toEqual([
      { id: 'other', input: '{"n":3}' },
      { id: 'same', input: '{"n":1}' },
    ])
    expect(store.storage.status).toBe('ok')
  })
})
