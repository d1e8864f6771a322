/** Runs over HTTP: starting (waiting, idempotent, by version), listing with filters and cursors, reading, operating. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { publishAskTask } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness

const retrying = {
  name: 'retrying',
  steps: [
    {
      id: 'a',
      task: 'fail-below',
      input: { attempt: '${run.attempt}', until: 3 },
      retry: { initialIntervalMs: 60_000, maximumAttempts: 3 },
    },
  ],
}
const doomed = { name: 'doomed', process: 'math', steps: [{ id: 'boom', task: 'trap', input: {} }] }
const forever = {
  name: 'forever',
  steps: [{ id: 'a', task: 'spin', input: {}, timeoutMs: 60_000 }],
}
const guarded = {
  name: 'guarded',
  input: { type: 'object', properties: { ok: { type: 'boolean' } } },
  triggers: [{ http: true, when: 'has(input.ok) && input.ok' }],
  steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
}
const asking = { name: 'asking', steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }] }
const signalled = {
  name: 'signalled',
  steps: [
    {
      id: 'wait',
      waitFor: 'go',
      schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    },
  ],
}

/** A parent whose one step is a child run of `signalled`. */
const wrapper = { name: 'wrapper', steps: [{ id: 'sub', flow: 'signalled', input: {} }] }

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
  h = await appHarness(pool, cache)
  await publishAskTask(h.catalog)
  for (const flow of [retrying, doomed, forever, signalled, guarded, asking, wrapper])
    await h.catalog.publishFlow(flow)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

const start = (flow: string, input: unknown, query = '', headers: Record<string, string> = {}) =>
  h.call('POST', `/v1/flows/${flow}/runs${query}`, { role: 'operator', json: input, headers })
const asRun = async (response: Response) => (await response.json()) as RunResource

async function until(id: string, status: string): Promise<RunResource> {
  for (let i = 0; i < 500; i++) {
    const run = await asRun(await h.call('GET', `/v1/runs/${id}`, { role: 'viewer' }))
    if (run.status === status) return run
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`run ${id} did not become ${status}`)
}

describe('POST /v1/flows/{name}/runs', () => {
  test('with ?wait the finished run comes back (200), with the URL in Location', async () => {
    const response = await start('add-two', { n: 5 }, '?wait=10000')
    expect(response.status).toBe(200)
    const run = await asRun(response)
    expect(response.headers.get('location')).toBe(`/v1/runs/${run.id}`)
    expect(run).toMatchObject({
      flow: { name: 'add-two', version: 1 },
      process: 'math',
      status: 'completed',
      input: { n: 5 },
      output: { n: 7 },
      error: null,
      currentStep: null,
    })
    expect(Date.parse(run.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(run.createdAt ?? ''))
  })

  test('without ?wait it answers 201 at once; a short wait on a long run answers 202', async () => {
    const created = await start('forever', {})
    const first = await asRun(created)
    expect([created.status, first.status]).toEqual([201, 'running'])
    const waited = await start('forever', {}, '?wait=50')
    expect(waited.status).toBe(202)
    const run = await asRun(waited)
    expect(run.status).toBe('running')
    expect(waited.headers.get('location')).toBe(`/v1/runs/${run.id}`)
    for (const id of [run.id, first.id]) {
      await h.call('POST', `/v1/runs/${id}/terminate`, { role: 'operator' })
      await until(id, 'terminated')
    }
  })

  test('an empty body is the input {}; the same Idempotency-Key answers the first run (200)', async () => {
    const first = await h.call('POST', '/v1/flows/doomed/runs?wait=5000', {
      role: 'operator',
      headers: { 'idempotency-key': 'k-1' },
    })
    expect(first.status).toBe(200)
    const run = await asRun(first)
    expect([run.input, run.idempotencyKey, run.status]).toEqual([{}, 'k-1', 'failed'])
    const again = await start('doomed', {}, '', { 'idempotency-key': 'k-1' })
    expect([again.status, (await asRun(again)).id]).toEqual([200, run.id])
  })

  test('a failed run answers its error: step, task, kind, message, attempt', async () => {
    const run = await asRun(await start('doomed', {}, '?wait=5000'))
    expect(run.status).toBe('failed')
    expect(run.error).toMatchObject({ step: 'boom', task: 'trap@1', kind: 'trap', attempt: 1 })
    expect(run.output).toEqual({ error: run.error })
  })

  test('bad input is 422 with pointers; unknown flows and versions are 404; bad parameters 400', async () => {
    const bad = await start('add-two', { n: -1, extra: true }, '?wait=100')
    expect(bad.status).toBe(422)
    const problem = (await bad.json()) as {
      detail: string
      errors: { pointer: string; message: string }[]
    }
    expect(problem.errors).toEqual([
      { pointer: '/n', code: 'invalid_document', message: 'expected a number >= 0, found -1' },
    ])
    expect(problem.detail).toBe(
      "the input does not match flow add-two's input schema: /n: expected a number >= 0, found -1",
    )
    const unknown = await start('nope', {})
    expect([unknown.status, ((await unknown.json()) as { detail: string }).detail]).toEqual([
      404,
      'flow "nope" is not published',
    ])
    const version = await start('add-two', { n: 1 }, '?version=4')
    expect([version.status, ((await version.json()) as { detail: string }).detail]).toEqual([
      404,
      'flow "add-two" has no version 4',
    ])
    const wait = await start('add-two', { n: 1 }, '?wait=-5')
    expect(wait.status).toBe(400)
    expect(((await wait.json()) as { errors: unknown[] }).errors).toEqual([
      { parameter: 'wait', message: 'expected a number >= 0, found -5' },
    ])
  })

  test('?version runs that version', async () => {
    await h.catalog.publishFlow({
      name: 'add-two',
      process: 'math',
      steps: [{ id: 'only', task: 'inc', input: { n: 1 } }],
    })
    const v2 = await asRun(await start('add-two', {}, '?wait=5000'))
    const v1 = await asRun(await start('add-two', { n: 1 }, '?version=1&wait=5000'))
    expect([v2.flow.version, v2.output, v1.flow.version, v1.output]).toEqual([2, 2, 1, { n: 3 }])
  })
})

describe('GET /v1/runs', () => {
  test('filters by flow, process, status and time, newest first', async () => {
    const list = async (query: string) =>
      (
        (await (await h.call('GET', `/v1/runs${query}`, { role: 'viewer' })).json()) as {
          items: RunResource[]
        }
      ).items
    const doomedRuns = await list('?flow=doomed')
    expect(doomedRuns.length).toBeGreaterThanOrEqual(2)
    expect(new Set(doomedRuns.map((r) => r.flow.name))).toEqual(new Set(['doomed']))
    expect(doomedRuns.map((r) => r.id)).toEqual(
      doomedRuns
        .map((r) => r.id)
        .sort()
        .reverse(),
    )
    expect(new Set((await list('?process=math&status=failed')).map((r) => r.flow.name))).toEqual(
      new Set(['doomed']),
    )
    const future = new Date(Date.now() + 60_000).toISOString()
    expect(await list(`?from=${future}`)).toEqual([])
    expect((await list(`?to=${future}&limit=1`)).length).toBe(1)
    const badTime = await h.call('GET', '/v1/runs?from=yesterday')
    expect(((await badTime.json()) as { errors: unknown[] }).errors).toEqual([
      { parameter: 'from', message: 'must be an ISO 8601 date-time, not "yesterday"' },
    ])
  })

  test('?parent lists the child runs of a run, which name their parent and root', async () => {
    const parent = await asRun(await start('wrapper', {}))
    let children: RunResource[] = []
    for (let i = 0; i < 500 && children.length === 0; i++) {
      const page = await h.call('GET', `/v1/runs?parent=${parent.id}`, { role: 'viewer' })
      children = ((await page.json()) as { items: RunResource[] }).items
      if (children.length === 0) await new Promise((r) => setTimeout(r, 10))
    }
    expect(children.map((c) => [c.flow.name, c.parent, c.root])).toEqual([
      ['signalled', { run: parent.id, step: 'sub' }, parent.id],
    ])
    const waitingParent = await until(parent.id, 'waiting')
    expect([waitingParent.parent, waitingParent.root, waitingParent.waiting]).toEqual([
      null,
      parent.id,
      { kind: 'child', run: children[0]?.id, since: expect.any(String) },
    ])
    const child = children[0]?.id ?? ''
    await until(child, 'waiting')
    await h.call('POST', `/v1/runs/${child}/events/go`, { role: 'operator', json: { n: 7 } })
    expect((await until(parent.id, 'completed')).output).toEqual({ n: 7 })
    const bad = await h.call('GET', '/v1/runs?parent=nope', { role: 'viewer' })
    expect(bad.status).toBe(400)
  })

  test('cursor pages neither skip nor repeat runs while new runs are started', async () => {
    await h.catalog.publishFlow({
      name: 'paged',
      steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
    })
    const before: string[] = []
    for (let i = 0; i < 7; i++) before.push((await asRun(await start('paged', {}))).id)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const query: string = cursor ? `&cursor=${cursor}` : ''
      const page = (await (await h.call('GET', `/v1/runs?flow=paged&limit=3${query}`)).json()) as {
        items: RunResource[]
        nextCursor: string | null
      }
      seen.push(...page.items.map((r) => r.id))
      cursor = page.nextCursor
      await start('paged', {})
    } while (cursor)
    expect(seen).toEqual([...before].reverse())
  })
})

describe('a run, its steps and its events', () => {
  test('GET /v1/runs/{id}/steps answers step runs with attempts; /events the history', async () => {
    const run = await asRun(await start('add-two', { n: 1 }, '?version=1&wait=5000'))
    const steps = (await (
      await h.call('GET', `/v1/runs/${run.id}/steps`, { role: 'viewer' })
    ).json()) as {
      items: {
        stepId: string
        status: string
        task: unknown
        input: unknown
        output: unknown
        attempts: { number: number; status: string; output: unknown; log: string }[]
      }[]
    }
    expect(steps.items.map((s) => [s.stepId, s.status, s.task, s.input, s.output])).toEqual([
      ['first', 'succeeded', { name: 'inc', version: 1 }, { n: 1 }, 2],
      ['second', 'succeeded', { name: 'inc', version: 1 }, { n: 2 }, 3],
    ])
    expect(steps.items[0]?.attempts).toMatchObject([
      { number: 1, status: 'succeeded', output: 2, log: '' },
    ])
    const events = (await (await h.call('GET', `/v1/runs/${run.id}/events?limit=3`)).json()) as {
      items: { seq: number; type: string; stepId?: string }[]
      nextCursor: string | null
    }
    expect(events.items.map((e) => [e.seq, e.type, e.stepId])).toEqual([
      [1, 'run_started', undefined],
      [2, 'step_started', 'first'],
      [3, 'step_succeeded', 'first'],
    ])
    expect(events.nextCursor).toBe('3')
    const rest = (await (await h.call('GET', `/v1/runs/${run.id}/events?cursor=3`)).json()) as {
      items: { type: string }[]
      nextCursor: string | null
    }
    expect([rest.items.map((e) => e.type), rest.nextCursor]).toEqual([
      ['step_started', 'step_succeeded', 'run_completed'],
      null,
    ])
  })

  test('an unknown run is 404 on every read and operation; a malformed id is 400', async () => {
    const id = '01M84CGZN8FNG0KHWJSTKZ1S7Z'
    for (const path of ['', '/steps', '/events']) {
      const response = await h.call('GET', `/v1/runs/${id}${path}`)
      expect([response.status, ((await response.json()) as { detail: string }).detail]).toEqual([
        404,
        `run ${id} does not exist`,
      ])
    }
    for (const op of ['cancel', 'terminate', 'pause', 'resume', 'retry'])
      expect((await h.call('POST', `/v1/runs/${id}/${op}`)).status).toBe(404)
    expect((await h.call('GET', '/v1/runs/not-an-id')).status).toBe(400)
  })
})

describe('operations', () => {
  test('pause, resume and cancel a run waiting for a retry', async () => {
    const run = await asRun(await start('retrying', {}))
    await until(run.id, 'waiting')
    const op = async (name: string) =>
      asRun(await h.call('POST', `/v1/runs/${run.id}/${name}`, { role: 'operator' }))
    expect((await op('pause')).status).toBe('paused')
    expect((await op('resume')).status).toBe('waiting')
    expect((await op('cancel')).status).toBe('cancelled')
    const again = await h.call('POST', `/v1/runs/${run.id}/cancel`, { role: 'operator' })
    expect([again.status, ((await again.json()) as { detail: string }).detail]).toEqual([
      409,
      `run ${run.id} is cancelled`,
    ])
  })

  test('terminate kills the attempt in flight', async () => {
    const run = await asRun(await start('forever', {}))
    await new Promise((r) => setTimeout(r, 50))
    await h.call('POST', `/v1/runs/${run.id}/terminate`, { role: 'operator' })
    expect((await until(run.id, 'terminated')).finishedAt).not.toBeNull()
  })

  test('retry restarts a failed run from its failed step; a completed run cannot be retried', async () => {
    const run = await asRun(await start('doomed', {}, '?wait=5000'))
    const retried = await h.call('POST', `/v1/runs/${run.id}/retry`, { role: 'operator' })
    expect([retried.status, (await asRun(retried)).status]).toEqual([200, 'running'])
    await until(run.id, 'failed')
    const done = await asRun(await start('add-two', { n: 1 }, '?version=1&wait=5000'))
    const refused = await h.call('POST', `/v1/runs/${done.id}/retry`, { role: 'operator' })
    expect([refused.status, ((await refused.json()) as { detail: string }).detail]).toEqual([
      409,
      `run ${done.id} is completed; only a failed or timed-out run can be retried`,
    ])
  })
})

describe('POST /v1/runs/{id}/events/{event}', () => {
  test('delivers a checked payload to the step waiting for it; other events are 409', async () => {
    const run = await asRun(await start('signalled', {}))
    const waiting = await until(run.id, 'waiting')
    expect(waiting.waiting).toEqual({
      kind: 'event',
      event: 'go',
      since: expect.any(String),
      deadline: null,
    })
    const send = (event: string, json: unknown) =>
      h.call('POST', `/v1/runs/${run.id}/events/${event}`, { role: 'operator', json })
    const bad = await send('go', { n: 'seven' })
    expect(bad.status).toBe(422)
    expect(
      ((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
    ).toEqual(['/n'])
    const other = await send('stop', {})
    expect([other.status, ((await other.json()) as { detail: string }).detail]).toEqual([
      409,
      `run ${run.id} is not waiting for event "stop": its step "wait" waits for "go"`,
    ])
    const delivered = await send('go', { n: 7 })
    expect(delivered.status).toBe(200)
    expect((await until(run.id, 'completed')).output).toEqual({ n: 7 })
    expect((await send('go', { n: 8 })).status).toBe(409)
  })
})

test("a start the http trigger's guard refuses is answered 200 with started: false and the reason", async () => {
  const response = await start('guarded', { ok: false })
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual({
    started: false,
    reason: 'the guard at /triggers/0/when ("has(input.ok) && input.ok") is false',
    code: 'guard_false',
    trigger: '/triggers/0',
    id: expect.stringMatching(/^[0-9A-Z]{26}$/),
    flow: { name: 'guarded', version: 1 },
    input: { ok: false },
    createdAt: expect.any(String),
  })
  const allowed = await start('guarded', { ok: true })
  expect([allowed.status, (await asRun(allowed)).flow.name]).toEqual([201, 'guarded'])
})

test('an async step shows its callback URL; POST /v1/callbacks/{token} keeps it alive, completes it once', async () => {
  const run = await asRun(await start('asking', {}))
  await until(run.id, 'waiting')
  const steps = (await (
    await h.call('GET', `/v1/runs/${run.id}/steps`, { role: 'operator' })
  ).json()) as {
    items: { callback: { token: string; url: string } }[]
  }
  const { token, url } = steps.items[0]?.callback ?? { token: '', url: '' }
  expect(url).toBe(`http://localhost/v1/callbacks/${token}`)
  const callback = (json: unknown) =>
    h.app.request(url, { method: 'POST', body: JSON.stringify(json) })
  const alive = await callback({ status: 'heartbeat' })
  expect(await alive.json()).toEqual({
    accepted: true,
    status: 'heartbeat',
    step: 'ask',
    heartbeatDeadline: expect.any(String),
  })
  const bad = await callback({ status: 'failed' })
  expect(bad.status).toBe(422)
  expect(((await bad.json()) as { errors: { pointer: string; message: string }[] }).errors).toEqual(
    [
      {
        pointer: '/error',
        code: 'invalid_document',
        message: 'a failed callback needs "error": { "message": … }',
      },
    ],
  )
  const done = await callback({ status: 'succeeded', output: { ok: true } })
  expect([done.status, await done.json()]).toEqual([
    200,
    { accepted: true, status: 'succeeded', step: 'ask' },
  ])
  expect((await until(run.id, 'completed')).output).toEqual({ ok: true })
  const again = await callback({ status: 'succeeded', output: { ok: false } })
  expect([again.status, ((await again.json()) as { detail: string }).detail]).toEqual([
    409,
    `the callback of step "ask" of run ${run.id} is no longer awaited: the step succeeded`,
  ])
  const unknown = await h.app.request('/v1/callbacks/nothing', {
    method: 'POST',
    body: '{"status":"heartbeat"}',
  })
  expect(unknown.status).toBe(404)
})
