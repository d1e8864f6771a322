/**
 * The audit entry of each mutating call, as stored: the key (id, name, role),
 * the action, the target, the outcome and status, the node, the details.
 * Refused calls are entries too (401 without a key, 403 with the refused key,
 * 422 with its code); callbacks carry no key, and neither the token nor its
 * secret, nor a secret's value or a new key, is anywhere in the table.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sha256Hex } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import type { AuditEntry, Role } from '../../../runtime/store/index.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { engineTasksComponent, publishAskTask } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { untilStatus } from '../../fixtures/run-status.js'

let pool: WorkerPool
let h: AppHarness

const flows = [
  { name: 'asking', steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }] },
  { name: 'signalled', steps: [{ id: 'wait', waitFor: 'go' }] },
  { name: 'doomed', steps: [{ id: 'boom', task: 'trap', input: {} }] },
  { name: 'forever', steps: [{ id: 'a', task: 'spin', input: {}, timeoutMs: 60_000 }] },
  {
    name: 'guarded',
    input: { type: 'object', properties: { ok: { type: 'boolean' } } },
    triggers: [{ http: true, when: 'has(input.ok) && input.ok' }],
    steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
  },
]

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
  h = await appHarness(pool, cache)
  await publishAskTask(h.catalog)
  for (const flow of flows) await h.catalog.publishFlow(flow)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

/** The id of the test key of a role (`weir_<id>_<secret>`). */
const keyIdOf = (role: Role) => h.keys[role].split('_')[1] as string

/** The entry expected of a call made with the test key of `role` (or no key). */
function expected(role: Role | 'none', fields: Partial<AuditEntry>): AuditEntry {
  return {
    id: expect.stringMatching(/^[0-9A-Z]{26}$/) as unknown as string,
    at: expect.any(Number) as unknown as number,
    keyId: role === 'none' ? undefined : keyIdOf(role),
    keyName: role === 'none' ? undefined : `${role} key`,
    role: role === 'none' ? undefined : role,
    action: '',
    target: undefined,
    outcome: 'ok',
    status: 200,
    node: h.engine.node.id,
    details: undefined,
    ...fields,
  }
}

/** The newest `n` entries, newest first. */
const newest = async (n = 1) => (await h.store.audit.list({ limit: n })).items

const asRun = async (response: Response) => (await response.json()) as RunResource

/** Everything the audit table holds, as text. */
async function wholeTable(): Promise<string> {
  const result = await h.store.client.execute('SELECT * FROM audit_log')
  return JSON.stringify(result.rows)
}

describe('publishes', () => {
  test('a component, a task and a flow: each a version, with whether it was new', async () => {
    const component = await engineTasksComponent()
    const sha = sha256Hex(component)
    const put = await h.call('PUT', `/v1/components/${sha}`, {
      role: 'publisher',
      bytes: component,
    })
    expect(put.status).toBe(200)
    expect(await newest()).toEqual([
      expected('publisher', { action: 'component.publish', target: `component:${sha}` }),
    ])
    const task = { name: 'plus-one', export: 'inc', component: `sha256:${sha}` }
    expect((await h.call('POST', '/v1/tasks', { role: 'publisher', json: task })).status).toBe(201)
    expect((await h.call('POST', '/v1/tasks', { json: task })).status).toBe(200)
    const flow = { name: 'once', steps: [{ id: 'a', task: 'plus-one', input: { n: 1 } }] }
    expect((await h.call('POST', '/v1/flows', { role: 'publisher', json: flow })).status).toBe(201)
    expect(await newest(3)).toEqual([
      expected('publisher', {
        action: 'flow.publish',
        target: 'flow:once@1',
        status: 201,
        details: { created: true },
      }),
      expected('admin', {
        action: 'task.publish',
        target: 'task:plus-one@1',
        details: { created: false },
      }),
      expected('publisher', {
        action: 'task.publish',
        target: 'task:plus-one@1',
        status: 201,
        details: { created: true },
      }),
    ])
  })

  test('a flow that fails its check is audited with its code, and named as it was sent', async () => {
    const flow = { name: 'broken', steps: [{ id: 'a', task: 'no-such-task', input: {} }] }
    expect((await h.call('POST', '/v1/flows', { role: 'publisher', json: flow })).status).toBe(422)
    expect(await newest()).toEqual([
      expected('publisher', {
        action: 'flow.publish',
        target: 'flow:broken',
        outcome: 'invalid_document',
        status: 422,
      }),
    ])
  })
})

describe('runs', () => {
  test('a start names the flow version and the run; a refused start its refusal', async () => {
    const started = await asRun(
      await h.call('POST', '/v1/flows/add-two/runs?wait=5000', {
        role: 'operator',
        json: { n: 1 },
      }),
    )
    expect(await newest()).toEqual([
      expected('operator', {
        action: 'run.start',
        target: 'flow:add-two@1',
        details: { run: started.id },
      }),
    ])
    await h.call('POST', '/v1/flows/guarded/runs', { role: 'operator', json: { ok: false } })
    expect(await newest()).toEqual([
      expected('operator', {
        action: 'run.start',
        target: 'flow:guarded@1',
        details: { refused: 'guard_false' },
      }),
    ])
  })

  test('pause, resume, cancel, terminate and retry each name the run', async () => {
    const waiting = await asRun(await h.call('POST', '/v1/flows/signalled/runs', { json: {} }))
    await untilStatus(h.store, waiting.id, 'waiting')
    for (const op of ['pause', 'resume', 'cancel'])
      expect(
        (await h.call('POST', `/v1/runs/${waiting.id}/${op}`, { role: 'operator' })).status,
      ).toBe(200)
    const forever = await asRun(await h.call('POST', '/v1/flows/forever/runs', { json: {} }))
    await h.call('POST', `/v1/runs/${forever.id}/terminate`, { role: 'operator' })
    const doomed = await asRun(
      await h.call('POST', '/v1/flows/doomed/runs?wait=5000', { json: {} }),
    )
    await h.call('POST', `/v1/runs/${doomed.id}/retry`)
    const runOp = (role: Role, op: string, id: string) =>
      expected(role, { action: `run.${op}`, target: `run:${id}` })
    expect(await newest(6)).toEqual([
      runOp('admin', 'retry', doomed.id),
      expected('admin', {
        action: 'run.start',
        target: 'flow:doomed@1',
        details: { run: doomed.id },
      }),
      runOp('operator', 'terminate', forever.id),
      expected('admin', {
        action: 'run.start',
        target: 'flow:forever@1',
        status: 201,
        details: { run: forever.id },
      }),
      runOp('operator', 'cancel', waiting.id),
      runOp('operator', 'resume', waiting.id),
    ])
    expect(
      (await h.call('POST', `/v1/runs/${waiting.id}/cancel`, { role: 'operator' })).status,
    ).toBe(409)
    expect(await newest()).toEqual([
      expected('operator', {
        action: 'run.cancel',
        target: `run:${waiting.id}`,
        outcome: 'conflict',
        status: 409,
      }),
    ])
  })

  test('an event delivery names the run and the event, never the payload', async () => {
    const run = await asRun(await h.call('POST', '/v1/flows/signalled/runs', { json: {} }))
    await untilStatus(h.store, run.id, 'waiting')
    const payload = { note: 'payload-7f3a' }
    const delivered = await h.call('POST', `/v1/runs/${run.id}/events/go`, {
      role: 'operator',
      json: payload,
    })
    expect(delivered.status).toBe(200)
    expect(await newest()).toEqual([
      expected('operator', {
        action: 'event.deliver',
        target: `run:${run.id}`,
        details: { event: 'go' },
      }),
    ])
    expect(await wholeTable()).not.toContain('payload-7f3a')
  })
})

describe('callbacks', () => {
  test('are audited with the run and step, without a key, a token or its secret', async () => {
    const run = await asRun(await h.call('POST', '/v1/flows/asking/runs', { json: {} }))
    await untilStatus(h.store, run.id, 'waiting')
    const steps = (await (await h.call('GET', `/v1/runs/${run.id}/steps`)).json()) as {
      items: { callback: { token: string } }[]
    }
    const token = steps.items[0]?.callback.token as string
    const secret = token.split('.')[2] as string
    expect(secret).toHaveLength(32)
    const post = (json: unknown) => h.call('POST', `/v1/callbacks/${token}`, { role: 'none', json })
    expect((await post({ status: 'heartbeat' })).status).toBe(200)
    expect((await post({ status: 'succeeded', output: { ok: true } })).status).toBe(200)
    expect((await post({ status: 'failed', error: { message: 'late' } })).status).toBe(409)
    expect((await post({ status: 'nope' })).status).toBe(422)
    const callback = (action: string, fields: Partial<AuditEntry> = {}) =>
      expected('none', {
        action,
        target: `run:${run.id}`,
        details: { stepSeq: 1, step: 'ask' },
        ...fields,
      })
    expect(await newest(4)).toEqual([
      callback('callback', { outcome: 'invalid_document', status: 422, details: { stepSeq: 1 } }),
      callback('callback.fail', { outcome: 'conflict', status: 409, details: { stepSeq: 1 } }),
      callback('callback.complete'),
      callback('callback.heartbeat'),
    ])
    const table = await wholeTable()
    expect(table).not.toContain(secret)
    expect(table).not.toContain(token)
  })

  test('a token of another shape names nothing', async () => {
    const response = await h.call('POST', '/v1/callbacks/not-a-token', {
      role: 'none',
      json: { status: 'heartbeat' },
    })
    expect(response.status).toBe(404)
    expect(await newest()).toEqual([
      expected('none', { action: 'callback.heartbeat', outcome: 'not_found', status: 404 }),
    ])
  })
})

describe('schedules, keys and secrets', () => {
  test('a schedule created, paused and deleted', async () => {
    const created = await h.call('POST', '/v1/schedules', {
      role: 'operator',
      json: { flow: 'add-two', cron: '0 8 * * *', input: { n: 1 } },
    })
    const { id } = (await created.json()) as { id: string }
    await h.call('PUT', `/v1/schedules/${id}`, {
      role: 'operator',
      json: { paused: true, cron: '0 9 * * *' },
    })
    await h.call('DELETE', `/v1/schedules/${id}`, { role: 'operator' })
    expect(await newest(3)).toEqual([
      expected('operator', { action: 'schedule.delete', target: `schedule:${id}`, status: 204 }),
      expected('operator', {
        action: 'schedule.update',
        target: `schedule:${id}`,
        details: { changed: ['cron', 'paused'] },
      }),
      expected('operator', {
        action: 'schedule.create',
        target: `schedule:${id}`,
        status: 201,
        details: { flow: 'add-two' },
      }),
    ])
  })

  test('a key created and deleted: its name and role, never the key', async () => {
    const created = await h.call('POST', '/v1/keys', { json: { name: 'ci', role: 'publisher' } })
    const { id, key } = (await created.json()) as { id: string; key: string }
    expect((await h.call('DELETE', `/v1/keys/${id}`)).status).toBe(204)
    expect(await newest(2)).toEqual([
      expected('admin', { action: 'key.delete', target: `key:${id}`, status: 204 }),
      expected('admin', {
        action: 'key.create',
        target: `key:${id}`,
        status: 201,
        details: { name: 'ci', role: 'publisher' },
      }),
    ])
    expect(await wholeTable()).not.toContain(key.slice('weir_0123456789abcdef_'.length))
  })

  test('a secret set, replaced and deleted: its name, never its value', async () => {
    const value = 'sk_live_0af3c9e2d1'
    await h.call('PUT', '/v1/secrets/stripe', { json: { value } })
    await h.call('PUT', '/v1/secrets/stripe', { json: { value: `${value}x` } })
    await h.call('DELETE', '/v1/secrets/stripe')
    expect(await newest(3)).toEqual([
      expected('admin', { action: 'secret.delete', target: 'secret:stripe', status: 204 }),
      expected('admin', {
        action: 'secret.set',
        target: 'secret:stripe',
        details: { created: false },
      }),
      expected('admin', {
        action: 'secret.set',
        target: 'secret:stripe',
        status: 201,
        details: { created: true },
      }),
    ])
    expect(await wholeTable()).not.toContain(value)
  })
})

describe('refused calls', () => {
  test('a 403 names the key that was refused, with its code', async () => {
    expect(
      (await h.call('POST', '/v1/keys', { role: 'operator', json: { name: 'x', role: 'admin' } }))
        .status,
    ).toBe(403)
    expect(
      await h.call('DELETE', '/v1/secrets/stripe', { role: 'viewer' }).then((r) => r.status),
    ).toBe(403)
    expect(await newest(2)).toEqual([
      expected('viewer', {
        action: 'secret.delete',
        target: 'secret:stripe',
        outcome: 'forbidden',
        status: 403,
      }),
      expected('operator', { action: 'key.create', outcome: 'forbidden', status: 403 }),
    ])
  })

  test('a 401 on a mutating route is audited without a key; reads are not audited', async () => {
    const response = await h.call('POST', '/v1/flows/add-two/runs', {
      role: 'none',
      json: { n: 1 },
      headers: { authorization: 'Bearer weir_0123456789abcdef_wrongwrongwrongwrongwrongwrong12' },
    })
    expect(response.status).toBe(401)
    const [entry] = await newest()
    expect(entry).toEqual(
      expected('none', {
        action: 'run.start',
        target: 'flow:add-two',
        outcome: 'unauthorized',
        status: 401,
      }),
    )
    await h.call('GET', '/v1/runs')
    await h.call('GET', '/v1/runs', { role: 'none' })
    await h.call('POST', '/v1/flows/check', { json: flows[0] })
    expect(await newest()).toEqual([entry])
    expect(await wholeTable()).not.toContain('wrongwrong')
  })

  test('a 422 and a bad parameter are audited with their codes', async () => {
    await h.call('POST', '/v1/flows/add-two/runs?version=7', { role: 'operator', json: { n: -1 } })
    await h.call('POST', '/v1/flows/add-two/runs?wait=nope', { role: 'operator', json: { n: 1 } })
    expect(await newest(2)).toEqual([
      expected('operator', {
        action: 'run.start',
        target: 'flow:add-two',
        outcome: 'invalid_request',
        status: 400,
      }),
      expected('operator', {
        action: 'run.start',
        target: 'flow:add-two@7',
        outcome: 'not_found',
        status: 404,
      }),
    ])
  })
})
