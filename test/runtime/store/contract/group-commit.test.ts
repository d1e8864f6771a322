/**
 * One bad change fails alone, on libSQL and PostgreSQL: values are serialized
 * before a change joins a group commit, so a value JSON cannot hold (nested
 * 10,000 levels deep, a BigInt) rejects its own new run or run change while
 * the others submitted in the same tick commit; and a group that still fails
 * (a constraint) is written again one submission at a time.
 */
import { describe, expect, test } from 'vitest'
import { UnstorableValueError } from '../../../../runtime/errors.js'
import type { NewRun } from '../../../../runtime/store/store.js'
import type { JsonValue } from '../../../../types/index.js'
import { bigint, completion, nested, running } from '../../../fixtures/store-records.js'
import { storeKinds, storePerTest } from '../../../fixtures/test-stores.js'

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

describe.each(storeKinds)('group commit isolation on %s', (kind) => {
  const current = storePerTest(kind, { now: () => 5000 })
  const rows = async (sql: string) =>
    (await current().client.execute(sql)).rows.map((row) => ({ ...row }))
  test('a run change whose value cannot be serialized fails alone; the others in its tick commit', async () => {
    for (const id of ['r1', 'r2', 'r3', 'r4']) await current().createRun(newRun(id, { id }))
    const results = await Promise.allSettled([
      current().commit([completion('r1', { n: 1 })]),
      current().commit([completion('r2', nested(10_000))]),
      current().commit([completion('r3', { n: 3 })]),
      current().commit([completion('r4', { n: 4 }, bigint)]),
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
      current().createRun(newRun('a', { n: 1 })),
      current().createRun(newRun('deep', nested(10_000))),
      current().createRun(newRun('b', { n: 2 }, 'key-b')),
      current().createRun(newRun('big', bigint, 'key-big')),
      current().createRun(newRun('c', { n: 3 })),
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
      current().createRun(newRun('same', { n: 1 })),
      current().createRun(newRun('same', { n: 2 })),
      current().createRun(newRun('other', { n: 3 })),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const reason = (results[1] as PromiseRejectedResult).reason
    // The driver's own error, unchanged: a unique violation.
    if (kind === 'libsql')
      expect([reason.code, reason.extendedCode]).toEqual([
        'SQLITE_CONSTRAINT',
        'SQLITE_CONSTRAINT_PRIMARYKEY',
      ])
    else expect([reason.code, reason.constraint]).toEqual(['23505', 'runs_pkey'])
    expect(await rows('SELECT id, input FROM runs ORDER BY id')).toEqual([
      { id: 'other', input: '{"n":3}' },
      { id: 'same', input: '{"n":1}' },
    ])
    expect(current().storage.status).toBe('ok')
  })
})
