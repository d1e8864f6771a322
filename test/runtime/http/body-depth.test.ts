/**
 * The depth limit on JSON bodies: every body that nests deeper than the limit
 * (a run input, an event payload, a callback's details, a flow to publish or
 * check, a task, a schedule, a key) is 422 with a pointer to where, found on
 * the text before anything parses or walks it; ordinary requests sent along
 * with deep ones are not disturbed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { tooDeepAt } from '../../../runtime/http/request.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { measureJson } from '../../../types/index.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { engineTasksComponent } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness

const signalled = { name: 'signalled', steps: [{ id: 'wait', waitFor: 'go' }] }
const asking = { name: 'asking', steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }] }

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
  h = await appHarness(pool, cache)
  await h.catalog.publishTask(
    { name: 'ask', export: 'inc', mode: 'async', output: {} },
    await engineTasksComponent(),
  )
  for (const flow of [signalled, asking]) await h.catalog.publishFlow(flow)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

/** `n` arrays nested around `leaf`. */
const arrays = (n: number, leaf = '1') => '['.repeat(n) + leaf + ']'.repeat(n)
/** `n` objects `{"a": …}` nested around `leaf`. */
const objects = (n: number, leaf = '1') => '{"a":'.repeat(n) + leaf + '}'.repeat(n)

async function post(path: string, body: string, role: 'operator' | 'publisher' | 'admin' | 'none') {
  return h.call('POST', path, {
    role,
    bytes: new TextEncoder().encode(body),
    headers: { 'content-type': 'application/json' },
  })
}

/** The exact 422 a body too deep at `pointer` gets with the default limit. */
function tooDeep(pointer: string) {
  return {
    type: 'https://weir.dev/problems/invalid-document',
    title: 'Invalid document',
    status: 422,
    detail: `the body nests deeper than the limit of 64 levels at ${pointer} (WEIR_MAX_DEPTH)`,
    code: 'invalid_document',
    errors: [
      { pointer, code: 'value_too_deep', message: 'nests deeper than the limit of 64 levels' },
    ],
  }
}

async function until(id: string, status: string): Promise<RunResource> {
  for (let i = 0; i < 500; i++) {
    const run = (await (await h.call('GET', `/v1/runs/${id}`)).json()) as RunResource
    if (run.status === status) return run
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`run ${id} did not become ${status}`)
}

describe('tooDeepAt names the place measureJson names, on the text', () => {
  test.each([
    ['nested arrays', arrays(70)],
    ['nested objects', objects(70)],
    ['after siblings', `[[], {"x": [1, [2]]}, "]]", ${arrays(70)}]`],
    ['brackets and quotes inside strings', `{"[{\\"": "[[[[", "k": [${arrays(70)}]}`],
    ['escaped keys', `{"a/b": {"~0\\u0041\\"": [0, 1, ${objects(70)}]}}`],
    ['keys after values that are objects', `{"p": {"q": 1}, "r": {"s": [{}, ${arrays(70)}]}}`],
  ])('%s', (_, text) => {
    for (const maxDepth of [0, 1, 2, 3, 10, 64]) {
      const measured = measureJson(JSON.parse(text), { maxDepth, maxBytes: Infinity })
      expect(tooDeepAt(text, maxDepth)).toBe(measured.ok ? undefined : measured.pointer)
    }
    expect(tooDeepAt(text, 200)).toBeUndefined()
  })
})

describe('a body deeper than the limit is 422 with a pointer, at every door', () => {
  test('a run input 10,000 deep; one 64 deep starts', async () => {
    const deep = await post(
      '/v1/flows/add-two/runs',
      `{"n": 1, "deep": ${arrays(10_000)}}`,
      'operator',
    )
    expect(deep.status).toBe(422)
    expect(await deep.json()).toEqual(tooDeep(`/deep${'/0'.repeat(63)}`))
    const atLimit = await post(
      '/v1/flows/add-two/runs',
      `{"n": 1, "deep": ${arrays(63)}}`,
      'operator',
    )
    expect(atLimit.status).toBe(201)
    const justOver = await post(
      '/v1/flows/add-two/runs',
      `{"n": 1, "deep": ${arrays(64)}}`,
      'operator',
    )
    expect(await justOver.json()).toEqual(tooDeep(`/deep${'/0'.repeat(63)}`))
  })

  test('an event payload 10,000 deep; the run still waits and takes a good one', async () => {
    const run = (await (
      await post('/v1/flows/signalled/runs', '{}', 'operator')
    ).json()) as RunResource
    await until(run.id, 'waiting')
    const path = `/v1/runs/${run.id}/events/go`
    const deep = await post(path, `{"n": 1, "more": ${objects(10_000)}}`, 'operator')
    expect(deep.status).toBe(422)
    expect(await deep.json()).toEqual(tooDeep(`/more${'/a'.repeat(63)}`))
    expect((await post(path, '{"n": 1}', 'operator')).status).toBe(200)
    expect((await until(run.id, 'completed')).output).toEqual({ n: 1 })
  })

  test("a callback's details 10,000 deep; the step still waits for its callback", async () => {
    const run = (await (
      await post('/v1/flows/asking/runs', '{}', 'operator')
    ).json()) as RunResource
    await until(run.id, 'waiting')
    const steps = (await (await h.call('GET', `/v1/runs/${run.id}/steps`)).json()) as {
      items: { callback: { url: string } }[]
    }
    const url = new URL(steps.items[0]?.callback.url ?? '').pathname
    const body = `{"status": "failed", "error": {"message": "no", "details": ${arrays(10_000)}}}`
    const deep = await post(url, body, 'none')
    expect(deep.status).toBe(422)
    expect(await deep.json()).toEqual(tooDeep(`/error/details${'/0'.repeat(62)}`))
    expect((await until(run.id, 'waiting')).currentStep).toBe('ask')
    expect((await post(url, '{"status": "succeeded", "output": 5}', 'none')).status).toBe(200)
    expect((await until(run.id, 'completed')).output).toBe(5)
  })

  test.each([['/v1/flows'], ['/v1/flows/check']])('a flow 10,000 deep, POST %s', async (path) => {
    const flow = `{"name": "deep", "steps": [{"id": "a", "task": "inc", "input": ${arrays(10_000)}}]}`
    const deep = await post(path, flow, 'publisher')
    expect(deep.status).toBe(422)
    expect(await deep.json()).toEqual(tooDeep(`/steps/0/input${'/0'.repeat(61)}`))
  })

  test.each([
    [
      'a task',
      '/v1/tasks',
      'publisher',
      `{"name": "t", "input": ${objects(100)}}`,
      `/input${'/a'.repeat(63)}`,
    ],
    [
      'a schedule',
      '/v1/schedules',
      'operator',
      `{"flow": "add-two", "input": ${arrays(100)}}`,
      `/input${'/0'.repeat(63)}`,
    ],
    ['a key', '/v1/keys', 'admin', arrays(100), '/0'.repeat(64)],
  ] as const)('%s, POST %s', async (_, path, role, body, pointer) => {
    const deep = await post(path, body, role)
    expect(deep.status).toBe(422)
    expect(await deep.json()).toEqual(tooDeep(pointer))
  })

  test('a million levels in one MiB are refused before they are parsed', async () => {
    // V8's JSON.parse does not overflow on these, but takes 100 ms and more; the scan takes about 1.
    for (const body of ['['.repeat(1_000_000), arrays(500_000)]) {
      const started = performance.now()
      const deep = await post('/v1/flows/add-two/runs', body, 'operator')
      expect(deep.status).toBe(422)
      expect(await deep.json()).toEqual(tooDeep('/0'.repeat(64)))
      expect(performance.now() - started).toBeLessThan(1000)
    }
  })

  test('the limit is an app option, and the answer names it', async () => {
    const cache = tempCache()
    const shallow = await appHarness(pool, cache, { limits: { maxDepth: 3 } })
    try {
      const response = await shallow.call('POST', '/v1/flows/add-two/runs', {
        role: 'operator',
        json: { n: 1, x: [[[1]]] },
      })
      expect(response.status).toBe(422)
      expect(await response.json()).toMatchObject({
        detail: 'the body nests deeper than the limit of 3 levels at /x/0/0 (WEIR_MAX_DEPTH)',
        errors: [
          {
            pointer: '/x/0/0',
            code: 'value_too_deep',
            message: 'nests deeper than the limit of 3 levels',
          },
        ],
      })
      const fits = await shallow.call('POST', '/v1/flows/add-two/runs', {
        role: 'operator',
        json: { n: 1, x: [[1]] },
      })
      expect(fits.status).toBe(201)
    } finally {
      await shallow.close()
    }
  })
})

test('200 ordinary starts sent along with 20 deep bodies all start, run and are stored', async () => {
  const ordinary = Array.from({ length: 200 }, (_, n) =>
    post('/v1/flows/add-two/runs', JSON.stringify({ n }), 'operator'),
  )
  const deep = Array.from({ length: 20 }, () =>
    post('/v1/flows/add-two/runs', `{"n": 1, "deep": ${arrays(10_000)}}`, 'operator'),
  )
  const [started, refused] = await Promise.all([Promise.all(ordinary), Promise.all(deep)])
  expect(started.map((r) => r.status)).toEqual(Array(200).fill(201))
  expect(refused.map((r) => r.status)).toEqual(Array(20).fill(422))
  for (const response of refused)
    expect(await response.json()).toEqual(tooDeep(`/deep${'/0'.repeat(63)}`))
  const runs = (await Promise.all(started.map((r) => r.json()))) as RunResource[]
  expect(new Set(runs.map((r) => r.id)).size).toBe(200)
  for (const [n, run] of runs.entries()) {
    const finished = await h.engine.waitForRun(run.id, 20_000)
    expect([finished?.status, finished?.input, finished?.output]).toEqual([
      'completed',
      { n },
      { n: n + 2 },
    ])
    expect((await h.store.getRun(run.id))?.status).toBe('completed')
  }
})
