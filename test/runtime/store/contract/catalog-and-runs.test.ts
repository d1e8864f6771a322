/**
 * The store contract, on libSQL and PostgreSQL alike: migrations, task and
 * flow versions, components, run lists and cursors, idempotency keys, events,
 * step runs with their attempts, active runs, refused starts, API keys.
 */
import { describe, expect, test } from 'vitest'
import type { FunctionBinding } from '../../../../runtime/components/signature.js'
import type { TaskDocument } from '../../../../types/index.js'
import { completion, newRun, running as progress } from '../../../fixtures/store-records.js'
import { storeKinds, storePerTest } from '../../../fixtures/test-stores.js'

describe.each(storeKinds)('%s store', (kind) => {
  const current = storePerTest(kind)
  test('migrations are recorded', async () => {
    const result = await current().client.execute(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    )
    const expected = [
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
      [11, 'leases'],
      [12, 'run-requests'],
      [13, 'composition'],
      [14, 'compensation'],
      [15, 'run-changes'],
      [16, 'audit'],
      [17, 'retention'],
      [18, 'trace-context'],
    ]
    // PostgreSQL starts at the schema libSQL reaches with migration 10, in one migration.
    expect(result.rows.map((r) => [r.version, r.name])).toEqual(
      kind === 'libsql'
        ? expected
        : [
            [10, 'initial'],
            [11, 'leases'],
            [12, 'run-requests'],
            [13, 'composition'],
            [14, 'compensation'],
            [15, 'run-changes'],
            [16, 'audit'],
            [17, 'retention'],
            [18, 'trace-context'],
          ],
    )
  })

  test('flow versions count up per name and the latest is returned', async () => {
    const doc = { name: 'f', steps: [{ id: 'a', task: 't@1' }] }
    expect((await current().publishFlow(doc, 'billing')).version).toBe(1)
    const second = await current().publishFlow({ ...doc, description: 'v2' }, 'billing')
    expect(second.version).toBe(2)
    expect(second.document).toEqual({ ...doc, description: 'v2', version: 2 })
    expect((await current().getFlow('f'))?.version).toBe(2)
    expect((await current().getFlow('f', 1))?.document.description).toBeUndefined()
    expect((await current().listFlows('billing')).map((f) => [f.name, f.version])).toEqual([
      ['f', 2],
    ])
    expect(await current().listFlows('other')).toEqual([])
  })

  test('a component is stored once by its hash', async () => {
    const bytes = Uint8Array.from([0, 97, 115, 109])
    await current().putComponent('ab'.repeat(32), bytes)
    await current().putComponent('ab'.repeat(32), bytes)
    expect(await current().getComponent('ab'.repeat(32))).toEqual(bytes)
    expect(
      (await current().client.execute('SELECT COUNT(*) AS n FROM components')).rows[0]?.n,
    ).toBe(1)
  })

  test('run lists filter, page newest first, and keep their cursor stable under inserts', async () => {
    for (let i = 0; i < 5; i++) await current().createRun(newRun(`r${i}`, 1000 + i))
    const first = await current().listRuns({ limit: 2 })
    expect(first.items.map((r) => r.id)).toEqual(['r4', 'r3'])
    await current().createRun(newRun('r9', 2000))
    const second = await current().listRuns({ limit: 2, cursor: first.nextCursor })
    expect(second.items.map((r) => r.id)).toEqual(['r2', 'r1'])
    const third = await current().listRuns({ limit: 2, cursor: second.nextCursor })
    expect(third).toEqual({ items: [expect.objectContaining({ id: 'r0' })], nextCursor: undefined })
    expect((await current().listRuns({ from: 1002, to: 1003 })).items.map((r) => r.id)).toEqual([
      'r3',
      'r2',
    ])
    expect(
      (await current().listRuns({ process: 'billing', status: 'running', flow: 'f' })).items,
    ).toHaveLength(6)
    expect((await current().listRuns({ status: 'completed' })).items).toEqual([])
    await expect(current().listRuns({ cursor: 'garbage' })).rejects.toThrow(
      'cursor "garbage" is not one this API gave out',
    )
  })

  test('an idempotency key maps every later create to the first run', async () => {
    const first = await current().createRun(newRun('a', 1, { idempotencyKey: 'k' }))
    const again = await current().createRun(newRun('b', 2, { idempotencyKey: 'k' }))
    expect([first.created, again.created, again.run.id]).toEqual([true, false, 'a'])
    expect(await current().getRun('b')).toBeUndefined()
    expect((await current().listEvents('b')).items).toEqual([])
  })

  test('events page in order', async () => {
    await current().createRun(newRun('r', 1))
    const events = Array.from({ length: 4 }, (_, i) => ({
      type: 'step_started' as const,
      at: 10 + i,
      stepId: 'a',
      data: { i },
    }))
    await current().commit([{ runId: 'r', progress: { ...progress, eventSeq: 5 }, events }])
    const page = await current().listEvents('r', 0, 3)
    expect(page.items.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(page.nextCursor).toBe('3')
    expect((await current().listEvents('r', 3)).items.map((e) => [e.seq, e.data])).toEqual([
      [4, { i: 2 }],
      [5, { i: 3 }],
    ])
  })

  test('API keys are created, listed, read and deleted', async () => {
    const key = { id: 'k1', name: 'ci', role: 'publisher' as const, secretHash: 'ab', createdAt: 5 }
    await current().createApiKey(key)
    await current().createApiKey({ ...key, id: 'k2', role: 'viewer', createdAt: 6 })
    expect(await current().getApiKey('k1')).toEqual(key)
    expect((await current().listApiKeys()).map((k) => [k.id, k.role])).toEqual([
      ['k1', 'publisher'],
      ['k2', 'viewer'],
    ])
    expect([await current().deleteApiKey('k1'), await current().deleteApiKey('k1')]).toEqual([
      true,
      false,
    ])
    expect(await current().getApiKey('k1')).toBeUndefined()
  })

  test('task versions keep their document, binding and publisher; the latest is listed', async () => {
    const store = current()
    const sha = 'cd'.repeat(32)
    await store.putComponent(sha, Uint8Array.from([0, 97, 115, 109]))
    const doc: TaskDocument & { component: string } = {
      name: 't',
      component: `sha256:${sha}`,
      input: { type: 'object' },
      output: { type: 'object' },
    }
    const binding: FunctionBinding = {
      export: 'run',
      signature: 'func() -> string',
      params: [],
      inputMode: 'params',
      result: { kind: 'string' },
    }
    const first = await store.publishTask(doc, binding, 'key-1')
    const second = await store.publishTask({ ...doc, description: 'two' }, binding)
    expect([first.version, first.publishedBy, second.version, second.publishedBy]).toEqual([
      1,
      'key-1',
      2,
      undefined,
    ])
    expect(second.document).toEqual({ ...doc, description: 'two', version: 2 })
    expect((await store.getTask('t', 1))?.document).toEqual({ ...doc, version: 1 })
    expect((await store.getTask('t'))?.version).toBe(2)
    expect(await store.getTask('t', 3)).toBeUndefined()
    expect((await store.listTasks()).map((t) => [t.name, t.version])).toEqual([['t', 2]])
    expect(typeof (await store.getTask('t'))?.createdAt).toBe('number')
  })

  test('step runs come back with their attempts; active runs with their latest values', async () => {
    const store = current()
    await store.createRun(newRun('done', 1))
    await store.createRun(newRun('live', 2))
    await store.commit([completion('done', { n: 1 }, { took: 3 })])
    const [step] = await store.getStepRuns('done')
    expect(step).toEqual({
      seq: 1,
      stepId: 'a',
      status: 'succeeded',
      task: { name: 't', version: 1 },
      input: { n: 1 },
      output: { n: 1 },
      error: undefined,
      startedAt: 1500,
      finishedAt: 2000,
      callback: undefined,
      attempts: [
        {
          number: 1,
          status: 'succeeded',
          input: { n: 1 },
          output: { n: 1 },
          error: undefined,
          log: 'ran',
          startedAt: 1500,
          finishedAt: 2000,
        },
      ],
    })
    expect((await store.loadActiveRuns()).map((a) => [a.run.id, a.progress.status])).toEqual([
      ['live', 'running'],
    ])
    const done = await store.loadRun('done')
    expect([done?.run.status, done?.progress.output, done?.values]).toEqual([
      'completed',
      { n: 1 },
      { a: { output: { n: 1 } } },
    ])
    expect(await store.loadRun('missing')).toBeUndefined()
    expect((await store.getRun('done'))?.output).toEqual({ n: 1 })
  })

  test('refused starts are kept per flow, newest first', async () => {
    const store = current()
    for (const [id, at] of [
      ['x1', 10],
      ['x2', 20],
    ] as const)
      await store.recordRefusedStart({
        id,
        flow: { name: 'f', version: 1 },
        trigger: 'http',
        input: { id },
        reason: 'guard was false',
        code: 'guard_false',
        createdAt: at,
      })
    expect((await store.listRefusedStarts('f')).map((r) => [r.id, r.code, r.input])).toEqual([
      ['x2', 'guard_false', { id: 'x2' }],
      ['x1', 'guard_false', { id: 'x1' }],
    ])
    expect(await store.listRefusedStarts('g')).toEqual([])
  })

  test('a process filter matches the process and its sub-processes on / boundaries; processes are counted', async () => {
    const store = current()
    const flow = (name: string) => ({ name, steps: [{ id: 'a', task: 't@1' }] })
    for (const [name, process] of [
      ['pay', 'billing'],
      ['refund', 'billing/eu'],
      ['other', 'billing-eu'],
      ['odd', 'bil_ing/x'],
      ['ship', 'shipping'],
    ] as const)
      await store.publishFlow(flow(name), process)
    await store.publishFlow({ ...flow('pay'), description: 'v2' }, 'billing')
    expect((await store.listFlows('billing')).map((f) => f.name)).toEqual(['pay', 'refund'])
    expect((await store.listFlows('billing/eu')).map((f) => f.name)).toEqual(['refund'])
    expect((await store.listFlows('bil_ing')).map((f) => f.name)).toEqual(['odd'])
    expect((await store.listFlows('bill')).map((f) => f.name)).toEqual([])
    expect(await store.listProcesses()).toEqual([
      { process: 'bil_ing/x', flows: 1 },
      { process: 'billing', flows: 1 },
      { process: 'billing-eu', flows: 1 },
      { process: 'billing/eu', flows: 1 },
      { process: 'shipping', flows: 1 },
    ])
    await store.createRun(newRun('r1', 1, { process: 'billing' }))
    await store.createRun(newRun('r2', 2, { process: 'billing/eu' }))
    await store.createRun(newRun('r3', 3, { process: 'billing-eu' }))
    expect((await store.listRuns({ process: 'billing' })).items.map((r) => r.id)).toEqual([
      'r2',
      'r1',
    ])
  })
})
