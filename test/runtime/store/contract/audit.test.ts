/**
 * The store contract for the audit log, on libSQL and PostgreSQL: entries
 * appended (together or alone) and read back whole, newest first; each
 * filter; keyset pages that stay stable while entries are added; a cursor
 * the store did not give out refused; the bounded delete retention uses.
 * On a full libSQL database, an entry small enough to fit is no sign that
 * storage works again: it commits only with the probe's write.
 */
import { describe, expect, test } from 'vitest'
import type { AuditEntry } from '../../../../runtime/store/index.js'
import { storeKinds, storePerTest } from '../../../fixtures/test-stores.js'
import { fillDatabase, unfillDatabase } from '../fill-database.js'

/** An entry at `at`, its id sorting with its time (as sortableId's do). */
const entry = (n: number, at: number, fields: Partial<AuditEntry> = {}): AuditEntry => ({
  id: `01J${String(at).padStart(10, '0')}${String(n).padStart(13, '0')}`,
  at,
  keyId: '0123456789abcdef',
  keyName: 'ops',
  role: 'operator',
  action: 'run.start',
  target: 'flow:checkout@3',
  outcome: 'ok',
  status: 201,
  node: 'node-a',
  details: { run: `R${n}` },
  ...fields,
})

describe.each(storeKinds)('%s store', (kind) => {
  const current = storePerTest(kind)

  test('entries are kept whole, unknown fields as undefined, and read newest first', async () => {
    const store = current()
    const callback = entry(2, 2000, {
      keyId: undefined,
      keyName: undefined,
      role: undefined,
      action: 'callback.complete',
      target: 'run:01J0000000000000000000000A',
      details: { stepSeq: 1, step: 'ask' },
    })
    const refused = entry(3, 2000, {
      outcome: 'forbidden',
      status: 403,
      target: undefined,
      details: undefined,
    })
    await Promise.all([store.audit.append(entry(1, 1000)), store.audit.append(callback)])
    await store.audit.append(refused)
    const page = await store.audit.list({})
    expect(page).toEqual({ items: [refused, callback, entry(1, 1000)], nextCursor: undefined })
  })

  test('each filter matches exactly; from and to bound the time, inclusive', async () => {
    const store = current()
    const all = [
      entry(1, 1000),
      entry(2, 2000, { action: 'secret.set', target: 'secret:stripe', role: 'admin' }),
      entry(3, 3000, { keyId: 'fedcba9876543210', outcome: 'forbidden', status: 403 }),
      entry(4, 4000, { target: 'flow:checkout@4' }),
    ]
    for (const e of all) await store.audit.append(e)
    const ids = async (filter: Parameters<typeof store.audit.list>[0]) =>
      (await store.audit.list(filter)).items.map((e) => e.id)
    const [one, two, three, four] = all.map((e) => e.id)
    expect(await ids({ action: 'secret.set' })).toEqual([two])
    expect(await ids({ action: 'secret' })).toEqual([])
    expect(await ids({ keyId: 'fedcba9876543210' })).toEqual([three])
    expect(await ids({ target: 'flow:checkout@3' })).toEqual([three, one])
    expect(await ids({ outcome: 'ok' })).toEqual([four, two, one])
    expect(await ids({ from: 2000, to: 3000 })).toEqual([three, two])
    expect(await ids({ from: 3001 })).toEqual([four])
    expect(await ids({ to: 1000, outcome: 'ok' })).toEqual([one])
  })

  test('pages follow their cursor, stable while entries are added; a foreign cursor is refused', async () => {
    const store = current()
    for (let n = 1; n <= 5; n++) await store.audit.append(entry(n, n <= 3 ? 1000 : 1000 + n))
    const first = await store.audit.list({ limit: 2 })
    expect(first.items.map((e) => e.details)).toEqual([{ run: 'R5' }, { run: 'R4' }])
    await store.audit.append(entry(6, 9000))
    const second = await store.audit.list({ limit: 2, cursor: first.nextCursor as string })
    expect(second.items.map((e) => e.details)).toEqual([{ run: 'R3' }, { run: 'R2' }])
    const third = await store.audit.list({ limit: 2, cursor: second.nextCursor as string })
    expect([third.items.map((e) => e.details), third.nextCursor]).toEqual([
      [{ run: 'R1' }],
      undefined,
    ])
    expect((await store.audit.list({ limit: 0 })).items).toHaveLength(1)
    expect((await store.audit.list({ limit: 10_000 })).items).toHaveLength(6)
    await expect(store.audit.list({ cursor: 'nope' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'cursor "nope" is not one this API gave out',
    })
  })

  test('deleteAuditBefore deletes the oldest entries before a time, at most limit at once', async () => {
    const store = current()
    for (let n = 1; n <= 5; n++) await store.audit.append(entry(n, n * 1000))
    expect(await store.audit.deleteAuditBefore(4000, 2)).toBe(2)
    expect((await store.audit.list({})).items.map((e) => e.at)).toEqual([5000, 4000, 3000])
    expect(await store.audit.deleteAuditBefore(4000, 2)).toBe(1)
    expect(await store.audit.deleteAuditBefore(4000, 2)).toBe(0)
    expect((await store.audit.list({})).items.map((e) => e.at)).toEqual([5000, 4000])
  })
})

describe('libsql store on a full disk', () => {
  const current = storePerTest('libsql')

  test('after a storage fault an entry commits only with the probe, so health stays true', async () => {
    const store = current()
    await store.audit.append(entry(1, 1000))
    await fillDatabase(store.client)
    const large = entry(2, 2000, { details: { pad: 'p'.repeat(20_000) } })
    await expect(store.audit.append(large)).rejects.toMatchObject({ code: 'storage_unavailable' })
    expect(store.storage.status).toBe('unavailable')
    await expect(store.audit.append(entry(3, 3000))).rejects.toMatchObject({
      code: 'storage_unavailable',
    })
    expect(store.storage.status).toBe('unavailable')
    await unfillDatabase(store.client)
    await store.audit.append(entry(4, 4000))
    expect(store.storage.status).toBe('ok')
    expect((await store.audit.list({})).items.map((e) => e.at)).toEqual([4000, 1000])
    expect((await store.client.execute('SELECT * FROM storage_probe')).rows).toEqual([])
  })
})
