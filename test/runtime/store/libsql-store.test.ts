/** The libSQL store on a real database: versions, components, run lists and cursors, events. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { LibsqlStore } from '../../../runtime/store/index.js'
import type { NewRun, RunProgress } from '../../../runtime/store/store.js'

let store: LibsqlStore

beforeEach(async () => {
  store = await LibsqlStore.open({ url: ':memory:' })
})

afterEach(async () => {
  await store.close()
})

const progress: RunProgress = {
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

const newRun = (id: string, createdAt: number, extra: Partial<NewRun> = {}): NewRun => ({
  id,
  flow: { name: 'f', version: 1 },
  process: 'billing',
  input: { id },
  createdAt,
  progress,
  events: [{ type: 'run_started', at: createdAt, data: {} }],
  ...extra,
})

describe('LibsqlStore', () => {
  test('migrations are recorded', async () => {
    const result = await store.client.execute('SELECT version, name FROM schema_migrations')
    expect(result.rows.map((r) => [r.version, r.name])).toEqual([
      [1, 'initial'],
      [2, 'api-keys'],
      [3, 'step-waits'],
      [4, 'refused-starts'],
      [5, 'callbacks'],
      [6, 'schedules'],
      [7, 'storage-probe'],
      [8, 'refusal-codes'],
      [9, 'task-publishers'],
      [10, 'secrets'],
    ])
  })

  test('flow versions count up per name and the latest is returned', async () => {
    const doc = { name: 'f', steps: [{ id: 'a', task: 't@1' }] }
    expect((await store.publishFlow(doc, 'billing')).version).toBe(1)
    const second = await store.publishFlow({ ...doc, description: 'v2' }, 'billing')
    expect(second.version).toBe(2)
    expect(second.document).toEqual({ ...doc, description: 'v2', version: 2 })
    expect((await store.getFlow('f'))?.version).toBe(2)
    expect((await store.getFlow('f', 1))?.document.description).toBeUndefined()
    expect((await store.listFlows('billing')).map((f) => [f.name, f.version])).toEqual([['f', 2]])
    expect(await store.listFlows('other')).toEqual([])
  })

  test('a component is stored once by its hash', async () => {
    const bytes = Uint8Array.from([0, 97, 115, 109])
    await store.putComponent('ab'.repeat(32), bytes)
    await store.putComponent('ab'.repeat(32), bytes)
    expect(await store.getComponent('ab'.repeat(32))).toEqual(bytes)
    expect((await store.client.execute('SELECT COUNT(*) AS n FROM components')).rows[0]?.n).toBe(1)
  })

  test('run lists filter, page newest first, and keep their cursor stable under inserts', async () => {
    for (let i = 0; i < 5; i++) await store.createRun(newRun(`r${i}`, 1000 + i))
    const first = await store.listRuns({ limit: 2 })
    expect(first.items.map((r) => r.id)).toEqual(['r4', 'r3'])
    await store.createRun(newRun('r9', 2000))
    const second = await store.listRuns({ limit: 2, cursor: first.nextCursor })
    expect(second.items.map((r) => r.id)).toEqual(['r2', 'r1'])
    const third = await store.listRuns({ limit: 2, cursor: second.nextCursor })
    expect(third).toEqual({ items: [expect.objectContaining({ id: 'r0' })], nextCursor: undefined })
    expect((await store.listRuns({ from: 1002, to: 1003 })).items.map((r) => r.id)).toEqual([
      'r3',
      'r2',
    ])
    expect(
      (await store.listRuns({ process: 'billing', status: 'running', flow: 'f' })).items,
    ).toHaveLength(6)
    expect((await store.listRuns({ status: 'completed' })).items).toEqual([])
    await expect(store.listRuns({ cursor: 'garbage' })).rejects.toThrow(
      'cursor "garbage" is not one this API gave out',
    )
  })

  test('an idempotency key maps every later create to the first run', async () => {
    const first = await store.createRun(newRun('a', 1, { idempotencyKey: 'k' }))
    const again = await store.createRun(newRun('b', 2, { idempotencyKey: 'k' }))
    expect([first.created, again.created, again.run.id]).toEqual([true, false, 'a'])
    expect(await store.getRun('b')).toBeUndefined()
    expect((await store.listEvents('b')).items).toEqual([])
  })

  test('events page in order', async () => {
    await store.createRun(newRun('r', 1))
    const events = Array.from({ length: 4 }, (_, i) => ({
      type: 'step_started' as const,
      at: 10 + i,
      stepId: 'a',
      data: { i },
    }))
    await store.commit([{ runId: 'r', progress: { ...progress, eventSeq: 5 }, events }])
    const page = await store.listEvents('r', 0, 3)
    expect(page.items.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(page.nextCursor).toBe('3')
    expect((await store.listEvents('r', 3)).items.map((e) => [e.seq, e.data])).toEqual([
      [4, { i: 2 }],
      [5, { i: 3 }],
    ])
  })

  test('API keys are created, listed, read and deleted', async () => {
    const key = { id: 'k1', name: 'ci', role: 'publisher' as const, secretHash: 'ab', createdAt: 5 }
    await store.createApiKey(key)
    await store.createApiKey({ ...key, id: 'k2', role: 'viewer', createdAt: 6 })
    expect(await store.getApiKey('k1')).toEqual(key)
    expect((await store.listApiKeys()).map((k) => [k.id, k.role])).toEqual([
      ['k1', 'publisher'],
      ['k2', 'viewer'],
    ])
    expect([await store.deleteApiKey('k1'), await store.deleteApiKey('k1')]).toEqual([true, false])
    expect(await store.getApiKey('k1')).toBeUndefined()
  })
})
