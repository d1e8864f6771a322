/**
 * `GET /v1/audit`: admin only, entries as resources newest first, each
 * filter, keyset pages and their refusals; every mutating route declares how
 * it is audited (and no read does); an entry that cannot be written is logged
 * and the call is answered as it would have been.
 */
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { openApiDocument } from '../../../runtime/http/openapi.js'
import { routes } from '../../../runtime/http/routes/index.js'
import type { AuditEntry } from '../../../runtime/store/index.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness
const cache = tempCache()

beforeAll(async () => {
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await appHarness(pool, cache)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

type Page = { items: Record<string, unknown>[]; nextCursor: string | null }
const page = async (query: string) => {
  const response = await h.call('GET', `/v1/audit${query}`)
  expect(response.status).toBe(200)
  return (await response.json()) as Page
}

/** An entry of 2020, `s` seconds into the year. */
const old = (s: number, fields: Partial<AuditEntry> = {}): AuditEntry => ({
  id: `01E0000000${String(s).padStart(16, '0')}`,
  at: Date.UTC(2020, 0, 1, 0, 0, s),
  keyId: '0123456789abcdef',
  keyName: 'deployer',
  role: 'publisher',
  action: 'flow.publish',
  target: 'flow:checkout@3',
  outcome: 'ok',
  status: 201,
  node: 'node-a',
  details: { created: true },
  ...fields,
})

describe('GET /v1/audit', () => {
  test('is for admin keys only, and reading it is not audited', async () => {
    for (const role of ['publisher', 'operator', 'viewer'] as const) {
      const response = await h.call('GET', '/v1/audit', { role })
      expect(response.status).toBe(403)
    }
    expect((await h.call('GET', '/v1/audit', { role: 'none' })).status).toBe(401)
    expect(await page('')).toEqual({ items: [], nextCursor: null })
  })

  test('answers entries newest first, unknown fields as null, with each filter', async () => {
    const entries = [
      old(1),
      old(2, {
        keyId: undefined,
        keyName: undefined,
        role: undefined,
        action: 'callback.complete',
        target: 'run:01E00000000000000000000001',
        status: 200,
        details: { stepSeq: 1, step: 'ask' },
      }),
      old(3, { keyId: 'fedcba9876543210', outcome: 'forbidden', status: 403, details: undefined }),
      old(4, { target: 'flow:checkout@4', role: 'admin' }),
    ]
    for (const e of entries) await h.store.audit.append(e)
    const all = await page('?to=2020-12-31T00:00:00Z')
    expect(all.items.map((i) => i.id)).toEqual([...entries].reverse().map((e) => e.id))
    expect(all.items[2]).toEqual({
      id: entries[1]?.id,
      at: '2020-01-01T00:00:02.000Z',
      keyId: null,
      keyName: null,
      role: null,
      action: 'callback.complete',
      target: 'run:01E00000000000000000000001',
      outcome: 'ok',
      status: 200,
      node: 'node-a',
      details: { stepSeq: 1, step: 'ask' },
    })
    expect(all.items[3]).toEqual({
      id: entries[0]?.id,
      at: '2020-01-01T00:00:01.000Z',
      keyId: '0123456789abcdef',
      keyName: 'deployer',
      role: 'publisher',
      action: 'flow.publish',
      target: 'flow:checkout@3',
      outcome: 'ok',
      status: 201,
      node: 'node-a',
      details: { created: true },
    })
    const ats = async (query: string) => (await page(query)).items.map((i) => i.at)
    const at = (s: number) => `2020-01-01T00:00:0${s}.000Z`
    expect(await ats('?action=callback.complete')).toEqual([at(2)])
    expect(await ats('?key=fedcba9876543210')).toEqual([at(3)])
    expect(await ats('?target=flow:checkout@3')).toEqual([at(3), at(1)])
    expect(await ats('?outcome=forbidden')).toEqual([at(3)])
    expect(await ats('?from=2020-01-01T00:00:02Z&to=2020-01-01T00:00:03Z')).toEqual([at(3), at(2)])
    expect(await ats('?target=flow:checkout@3&outcome=ok&to=2021-01-01T00:00:00Z')).toEqual([at(1)])
  })

  test('pages follow nextCursor; a bad cursor, time or limit is a parameter error', async () => {
    for (let s = 10; s < 15; s++) await h.store.audit.append(old(s, { target: 'flow:paged@1' }))
    const seen: unknown[] = []
    let query = '?target=flow:paged@1&limit=2'
    for (;;) {
      const next = await page(query)
      seen.push(next.items.map((i) => i.at))
      if (next.nextCursor === null) break
      query = `?target=flow:paged@1&limit=2&cursor=${next.nextCursor}`
    }
    const at = (s: number) => `2020-01-01T00:00:${s}.000Z`
    expect(seen).toEqual([[at(14), at(13)], [at(12), at(11)], [at(10)]])
    const refused = async (query: string) => {
      const response = await h.call('GET', `/v1/audit${query}`)
      expect(response.status).toBe(400)
      return ((await response.json()) as { errors: unknown[] }).errors
    }
    expect(await refused('?cursor=nope')).toEqual([
      { parameter: 'cursor', message: '"nope" is not a cursor this API gave out' },
    ])
    expect(await refused('?from=yesterday')).toEqual([
      { parameter: 'from', message: 'must be an ISO 8601 date-time, not "yesterday"' },
    ])
    expect(await refused('?limit=501')).toMatchObject([{ parameter: 'limit' }])
    expect(await refused('?key=not-a-key')).toMatchObject([{ parameter: 'key' }])
  })
})

describe('the route table', () => {
  test('every mutating route is audited, and no read is (a flow check changes nothing)', () => {
    const audited = routes.filter((r) => r.audit !== undefined).map((r) => `${r.method} ${r.path}`)
    const mutating = routes
      .filter((r) => r.method !== 'get' && r.path !== '/v1/flows/check')
      .map((r) => `${r.method} ${r.path}`)
    expect(audited).toEqual(mutating)
    expect(audited).toHaveLength(18)
  })

  test('the document declares GET /v1/audit for admin keys, with its entry schema', () => {
    const document = openApiDocument(routes, '1.0.0') as {
      paths: Record<string, Record<string, Record<string, unknown>>>
      components: { schemas: Record<string, { required?: string[] }> }
    }
    expect(document.paths['/v1/audit']?.get).toMatchObject({
      operationId: 'listAudit',
      'x-weir-role': 'admin',
    })
    expect(document.components.schemas.AuditEntry?.required).toEqual([
      'id',
      'at',
      'keyId',
      'keyName',
      'role',
      'action',
      'target',
      'outcome',
      'status',
      'node',
      'details',
    ])
  })
})

test('an entry that cannot be written is logged with its fields; the call is answered as it was', async () => {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  )
  const broken = await appHarness(pool, cache, { logger })
  try {
    await broken.store.client.execute('DROP TABLE audit_log')
    const response = await broken.call('POST', '/v1/flows/add-two/runs', {
      role: 'operator',
      json: { n: 1 },
    })
    expect(response.status).toBe(201)
    const { id } = (await response.json()) as { id: string }
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'audit entry not written',
      audit: {
        action: 'run.start',
        target: 'flow:add-two@1',
        outcome: 'ok',
        status: 201,
        keyName: 'operator key',
        role: 'operator',
        details: { run: id },
      },
    })
  } finally {
    await broken.close()
  }
})
