/**
 * Child runs and sub-flows on a real store and executor: a sub-flow's output
 * feeds the next step; a failing child is retried (a new child run per
 * attempt) and routed by onError; cancel reaches a grandchild; nesting past
 * the engine's bound fails the step that would start too deep; a node that
 * stops while a child runs hands both to another node, which starts no second
 * child; set and fail steps give their outcomes.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { SqlStore } from '../../../runtime/store/index.js'
import type { RunRecord } from '../../../runtime/store/records.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { sharedPool } from '../../fixtures/shared-pool.js'

const workers = sharedPool()

const number = { type: 'integer', minimum: 0, maximum: 1000 }

/** Adds one to `n`. */
const addOne = {
  name: 'add-one',
  input: { type: 'object', required: ['n'], properties: { n: number } },
  steps: [{ id: 'a', task: 'inc', input: { n: '${input.n}' } }],
  output: '${steps.a.output}',
}
const doomed = { name: 'doomed', steps: [{ id: 'boom', task: 'trap', input: {} }] }
const waiting = { name: 'leaf', steps: [{ id: 'w', waitFor: 'go' }] }

async function setUp(
  flows: readonly object[],
  options: { maxNesting?: number } = {},
): Promise<Harness> {
  const h = await harness(workers.pool, workers.cache, options)
  await publishEngineTasks(h.catalog)
  for (const flow of flows) await h.catalog.publishFlow(flow)
  await h.engine.recover()
  return h
}

const children = async (h: Harness, id: string): Promise<RunRecord[]> =>
  (await h.store.listRuns({ parent: id })).items.sort((a, b) => (a.id < b.id ? -1 : 1))

const stepRuns = async (h: Harness, id: string) =>
  (await h.store.getStepRuns(id)).map((s) => [s.stepId, s.status, s.attempts.map((a) => a.status)])

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('sub-flows', () => {
  test("a sub-flow's output feeds the next step; the child run names its parent and root", async () => {
    const h = await setUp([
      addOne,
      {
        name: 'parent',
        steps: [
          { id: 'sub', flow: 'add-one', input: { n: 1 } },
          { id: 'after', task: 'inc', input: { n: '${steps.sub.output}' } },
        ],
        output: { n: '${steps.after.output}' },
      },
    ])
    const { run } = await h.engine.startRun('parent', {})
    expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({ n: 3 })
    const [child, ...others] = await children(h, run.id)
    expect(others).toEqual([])
    expect([child?.flow, child?.status, child?.output, child?.parent, child?.root]).toEqual([
      { name: 'add-one', version: 1 },
      'completed',
      2,
      { run: run.id, step: 'sub' },
      run.id,
    ])
    expect(await stepRuns(h, run.id)).toEqual([
      ['sub', 'succeeded', ['succeeded']],
      ['after', 'succeeded', ['succeeded']],
    ])
    const [sub] = await h.store.getStepRuns(run.id)
    expect([sub?.input, sub?.output, sub?.attempts[0]?.log]).toEqual([
      { n: 1 },
      2,
      `child run ${child?.id}`,
    ])
    const started = (await h.store.listEvents(run.id)).items.find((e) => e.type === 'step_started')
    expect(started?.data).toEqual({ attempt: 1, flow: 'add-one@1', child: child?.id })
    await h.close()
  })

  test('a failing child is retried with a new child run, then routed by onError', async () => {
    const h = await setUp([
      doomed,
      {
        name: 'careful',
        steps: [
          {
            id: 'sub',
            flow: 'doomed',
            input: {},
            retry: { maximumAttempts: 2, initialIntervalMs: 1 },
            onError: 'handle',
          },
          { id: 'fine', set: 'fine', next: 'end' },
          { id: 'handle', set: { kind: '${steps.sub.error.kind}' } },
        ],
      },
    ])
    const { run } = await h.engine.startRun('careful', {})
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({ kind: 'child_failed' })
    const kids = await children(h, run.id)
    expect(kids.map((k) => [k.status, k.error?.kind])).toEqual([
      ['failed', 'trap'],
      ['failed', 'trap'],
    ])
    const [sub] = await h.store.getStepRuns(run.id)
    expect(sub?.attempts.map((a) => [a.status, a.error?.kind])).toEqual([
      ['failed', 'child_failed'],
      ['failed', 'child_failed'],
    ])
    expect(sub?.error?.details).toEqual({
      run: kids[1]?.id,
      status: 'failed',
      error: kids[1]?.error,
    })
    expect(sub?.error?.message).toContain(`child run ${kids[1]?.id} of flow doomed@1 failed`)
    await h.close()
  })

  test('cancel of a run reaches its grandchild', async () => {
    const h = await setUp([
      waiting,
      { name: 'middle', steps: [{ id: 'm', flow: 'leaf', input: {} }] },
      { name: 'top', steps: [{ id: 't', flow: 'middle', input: {} }] },
    ])
    const { run } = await h.engine.startRun('top', {})
    let grandchild = ''
    await until(async () => {
      const [middle] = await children(h, run.id)
      const [leaf] = middle ? await children(h, middle.id) : []
      grandchild = leaf?.status === 'waiting' ? leaf.id : ''
      return grandchild !== ''
    }, 'the grandchild to wait')
    await h.engine.cancel(run.id)
    const leaf = await untilStatus(h.store, grandchild, 'cancelled')
    expect([leaf.root, leaf.depth]).toEqual([run.id, 2])
    const [middle] = await children(h, run.id)
    expect(middle?.status).toBe('cancelled')
    expect((await h.store.getRun(run.id))?.status).toBe('cancelled')
    await h.close()
  })

  test('a cancel that comes while the parent looks at its child is applied, and reaches the child', async () => {
    // Reading a run takes 100 ms: the parent looks at its child (after starting it) that long.
    const slowReads = (store: SqlStore): SqlStore =>
      new Proxy(store, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target)
          if (typeof value !== 'function') return value
          const bound = (value as (...args: unknown[]) => unknown).bind(target)
          if (property !== 'getRun') return bound
          return async (...args: unknown[]) => {
            await new Promise((r) => setTimeout(r, 100))
            return bound(...args)
          }
        },
      })
    const h = await harness(workers.pool, workers.cache, { seenBy: slowReads })
    await publishEngineTasks(h.catalog)
    for (const flow of [
      waiting,
      { name: 'wrapper', steps: [{ id: 'sub', flow: 'leaf', input: {} }] },
    ])
      await h.catalog.publishFlow(flow)
    await h.engine.recover()
    const { run } = await h.engine.startRun('wrapper', {})
    await until(async () => (await children(h, run.id)).length === 1, 'the child')
    await h.engine.cancel(run.id)
    await untilStatus(h.store, run.id, 'cancelled', 3000)
    const [child] = await children(h, run.id)
    await untilStatus(h.store, child?.id ?? '', 'cancelled', 3000)
    await h.close()
  })

  test('a child that would nest past the bound fails the step that starts it', async () => {
    const flows = [
      { name: 'leaf', steps: [{ id: 'v', set: 1 }] },
      { name: 'middle', steps: [{ id: 'm', flow: 'leaf', input: {} }] },
      { name: 'top', steps: [{ id: 't', flow: 'middle', input: {} }] },
    ]
    const published = await setUp(flows)
    await published.close()
    const h = await harness(workers.pool, workers.cache, { dir: published.dir, maxNesting: 1 })
    await h.engine.recover()
    const { run } = await h.engine.startRun('top', {})
    const failed = await untilStatus(h.store, run.id, 'failed')
    expect(failed.error?.kind).toBe('child_failed')
    const [middle] = await children(h, run.id)
    expect([middle?.status, middle?.error?.kind, middle?.error?.details]).toEqual([
      'failed',
      'limit_exceeded',
      { code: 'nesting_limit', limit: 1 },
    ])
    expect(middle?.error?.message).toBe(
      'a child run of flow leaf@1 would nest 2 levels below its root run, past the limit of 1',
    )
    expect(await children(h, middle?.id ?? '')).toEqual([])
    await h.close()
  })

  test('a node that stops while a child waits hands both runs on; no second child is started', async () => {
    const a = await setUp([
      waiting,
      {
        name: 'wrapper',
        steps: [{ id: 'sub', flow: 'leaf', input: {} }],
        output: { got: '${steps.sub.output}' },
      },
    ])
    const { run } = await a.engine.startRun('wrapper', {})
    await until(async () => (await children(a, run.id))[0]?.status === 'waiting', 'the child')
    await a.engine.stop()
    const b = await harness(workers.pool, workers.cache, {
      dir: mkdtempSync(join(tmpdir(), 'weir-node-b-')),
      url: a.url,
    })
    expect(await b.engine.recover()).toBe(2)
    const [child] = await children(b, run.id)
    await b.engine.deliverEvent(child?.id ?? '', 'go', { ok: true })
    expect((await untilStatus(b.store, run.id, 'completed')).output).toEqual({
      got: { ok: true },
    })
    expect((await children(b, run.id)).map((c) => c.status)).toEqual(['completed'])
    await a.store.close()
    await b.close()
  })

  test('a child run is not retried by itself: its parent is', async () => {
    const h = await setUp([doomed, { name: 'once', steps: [{ id: 'sub', flow: 'doomed' }] }])
    const { run } = await h.engine.startRun('once', {})
    await untilStatus(h.store, run.id, 'failed')
    const [child] = await children(h, run.id)
    await expect(h.engine.retry(child?.id ?? '')).rejects.toMatchObject({
      code: 'conflict',
      message: `run ${child?.id} is a child run of run ${run.id} (step "sub"): retry its parent, whose step starts a new child`,
    })
    await h.close()
  })
})

describe('parallel steps', () => {
  const quotes = {
    name: 'quotes',
    input: { type: 'object', required: ['n'], properties: { n: number } },
    steps: [
      {
        id: 'q',
        parallel: {
          plus: { task: 'inc', input: { n: '${input.n}' } },
          sub: { flow: 'add-one', input: { n: '${input.n}' } },
        },
      },
    ],
    output: '${steps.q.output}',
  }

  test('the branches run as child runs at once; the output is the object of their outputs', async () => {
    const h = await setUp([addOne, quotes])
    const { run } = await h.engine.startRun('quotes', { n: 2 })
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({ plus: 3, sub: 3 })
    const kids = await children(h, run.id)
    expect(
      kids
        .map((k) => [k.parent?.branch, k.flow.name, k.status])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual([
      ['plus', 'quotes', 'completed'],
      ['sub', 'quotes', 'completed'],
    ])
    // The sub-flow branch's one-step child started the flow itself, one level deeper.
    const sub = kids.find((k) => k.parent?.branch === 'sub')
    const [grandchild] = await children(h, sub?.id ?? '')
    expect([grandchild?.flow.name, grandchild?.output, grandchild?.depth]).toEqual([
      'add-one',
      3,
      2,
    ])
    expect(await stepRuns(h, run.id)).toEqual([['q', 'succeeded', ['succeeded']]])
    await h.close()
  })

  test("a task branch retries within its child run, by the branch's own policy", async () => {
    // flaky fails every odd call of its instance: one fresh worker makes that deterministic.
    const solo = await WorkerPool.start({ cache: workers.cache, size: 1 })
    const h = await harness(solo, workers.cache)
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow({
      name: 'stubborn',
      steps: [
        {
          id: 'q',
          parallel: {
            flaky: {
              task: 'flaky',
              input: {},
              retry: { maximumAttempts: 2, initialIntervalMs: 1 },
            },
          },
        },
      ],
    })
    await h.engine.recover()
    const { run } = await h.engine.startRun('stubborn', {})
    expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({ flaky: 2 })
    const [branch] = await children(h, run.id)
    expect(await stepRuns(h, branch?.id ?? '')).toEqual([
      ['flaky', 'succeeded', ['failed', 'succeeded']],
    ])
    await h.close()
    await solo.close()
  })

  test('the first branch that fails fails the step, naming it, and the others are cancelled', async () => {
    const h = await setUp([
      waiting,
      doomed,
      {
        name: 'racing',
        steps: [
          {
            id: 'q',
            parallel: {
              slow: { flow: 'leaf', input: {} },
              bad: { flow: 'doomed', input: {} },
            },
            onError: 'why',
          },
          { id: 'fine', set: 'fine', next: 'end' },
          {
            id: 'why',
            set: { branch: '${steps.q.error.details.branch}', kind: '${steps.q.error.kind}' },
          },
        ],
      },
    ])
    const { run } = await h.engine.startRun('racing', {})
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual({ branch: 'bad', kind: 'child_failed' })
    const slow = (await children(h, run.id)).find((k) => k.parent?.branch === 'slow')
    await untilStatus(h.store, slow?.id ?? '', 'cancelled')
    const [leaf] = await children(h, slow?.id ?? '')
    await untilStatus(h.store, leaf?.id ?? '', 'cancelled')
    await h.close()
  })

  test('branches waiting when their node stops are driven on by another node', async () => {
    const a = await setUp([
      waiting,
      {
        name: 'pair',
        steps: [
          {
            id: 'q',
            parallel: { one: { flow: 'leaf', input: {} }, two: { task: 'inc', input: { n: 1 } } },
          },
        ],
      },
    ])
    const { run } = await a.engine.startRun('pair', {})
    await until(async () => {
      const one = (await children(a, run.id)).find((k) => k.parent?.branch === 'one')
      return one !== undefined && (await children(a, one.id))[0]?.status === 'waiting'
    }, 'the waiting branch')
    await a.engine.stop()
    const b = await harness(workers.pool, workers.cache, {
      dir: mkdtempSync(join(tmpdir(), 'weir-node-b-')),
      url: a.url,
    })
    await b.engine.recover()
    const one = (await children(b, run.id)).find((k) => k.parent?.branch === 'one')
    const [leaf] = await children(b, one?.id ?? '')
    await b.engine.deliverEvent(leaf?.id ?? '', 'go', 7)
    expect((await untilStatus(b.store, run.id, 'completed')).output).toEqual({ one: 7, two: 2 })
    expect((await children(b, run.id)).length).toBe(2)
    await a.store.close()
    await b.close()
  })
})

describe('forEach steps', () => {
  const numbers = { type: 'array', items: number, maxItems: 100 }
  const each = (extra: Record<string, unknown> = {}, limits?: object) => ({
    name: 'each',
    input: { type: 'object', required: ['ns'], properties: { ns: numbers } },
    steps: [{ id: 'e', forEach: '${input.ns}', task: 'inc', input: { n: '${item}' }, ...extra }],
    output: '${steps.e.output}',
    ...(limits ? { limits } : {}),
  })

  test('calls its task once per item, at most `concurrency` at once; the output keeps the list order', async () => {
    const h = await setUp([each({ concurrency: 3 })])
    const ns = Array.from({ length: 12 }, (_, i) => i * 10)
    const { run } = await h.engine.startRun('each', { ns })
    const done = await untilStatus(h.store, run.id, 'completed')
    expect(done.output).toEqual(ns.map((n) => n + 1))
    const kids = await children(h, run.id)
    expect(kids.map((k) => k.parent?.index).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      ns.map((_, i) => i),
    )
    // Never more than 3 items going at once, from the children's own times.
    const spans = kids.map((k) => [k.createdAt, k.finishedAt ?? 0] as const)
    const most = Math.max(
      ...spans.map(([start]) => spans.filter(([s, e]) => s <= start && start < e).length),
    )
    expect(most).toBeLessThanOrEqual(3)
    await h.close()
  })

  test('the first failed item fails the step with its index; with continueOnError each item says ok or not', async () => {
    const h = await setUp([
      {
        name: 'checks',
        input: { type: 'object', required: ['ns'], properties: { ns: numbers } },
        steps: [
          {
            id: 'e',
            forEach: '${input.ns}',
            task: 'fail-below',
            input: { attempt: '${item}', until: 5 },
            concurrency: 1,
          },
        ],
      },
      {
        name: 'tolerant',
        input: { type: 'object', required: ['ns'], properties: { ns: numbers } },
        steps: [
          {
            id: 'e',
            forEach: '${input.ns}',
            task: 'fail-below',
            input: { attempt: '${item}', until: 5 },
            continueOnError: true,
          },
        ],
        output: '${steps.e.output.map(r, r.ok)}',
      },
    ])
    const failing = await h.engine.startRun('checks', { ns: [7, 2, 9] })
    const failed = await untilStatus(h.store, failing.run.id, 'failed')
    expect(failed.error).toMatchObject({ kind: 'child_failed', details: { index: 1 } })
    // One at a time: the item after the failure never started.
    expect((await children(h, failing.run.id)).length).toBe(2)
    const tolerant = await h.engine.startRun('tolerant', { ns: [7, 2, 9] })
    expect((await untilStatus(h.store, tolerant.run.id, 'completed')).output).toEqual([
      true,
      false,
      true,
    ])
    await h.close()
  })

  test('a list longer than maxItems fails the step before any item starts; an empty list gives []', async () => {
    const h = await setUp([each({}, { maxItems: 3 })])
    const { run } = await h.engine.startRun('each', { ns: [1, 2, 3, 4] })
    const failed = await untilStatus(h.store, run.id, 'failed')
    expect([failed.error?.kind, failed.error?.details]).toEqual([
      'limit_exceeded',
      { code: 'max_items', limit: 3, items: 4 },
    ])
    expect(await children(h, run.id)).toEqual([])
    const empty = await h.engine.startRun('each', { ns: [] })
    expect((await untilStatus(h.store, empty.run.id, 'completed')).output).toEqual([])
    await h.close()
  })
})

describe('set and fail steps', () => {
  test("a set step's output is its template's value", async () => {
    const h = await setUp([
      {
        name: 'setter',
        input: { type: 'object', required: ['n'], properties: { n: number } },
        steps: [
          { id: 'a', task: 'inc', input: { n: '${input.n}' } },
          { id: 'v', set: { doubled: '${steps.a.output * 2}', label: 'n=${input.n}' } },
        ],
      },
    ])
    const { run } = await h.engine.startRun('setter', { n: 4 })
    expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({
      doubled: 10,
      label: 'n=4',
    })
    expect(await stepRuns(h, run.id)).toEqual([
      ['a', 'succeeded', ['succeeded']],
      ['v', 'succeeded', ['succeeded']],
    ])
    await h.close()
  })

  test('a fail step fails with task_error and its code: unrouted it fails the run; nonRetryable matches it', async () => {
    const h = await setUp([
      {
        name: 'refuser',
        input: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        steps: [
          {
            id: 'no',
            fail: { message: 'order ${input.id} is blocked', code: 'blocked' },
            retry: { maximumAttempts: 5, initialIntervalMs: 1, nonRetryable: ['blocked'] },
          },
        ],
      },
    ])
    const { run } = await h.engine.startRun('refuser', { id: 'o-7' })
    const failed = await untilStatus(h.store, run.id, 'failed')
    expect(failed.error).toEqual({
      step: 'no',
      task: '',
      kind: 'task_error',
      message: 'order o-7 is blocked',
      details: { code: 'blocked' },
      attempt: 1,
    })
    expect(await stepRuns(h, run.id)).toEqual([['no', 'failed', ['failed']]])
    await h.close()
  })

  test("a fail step's code crosses a sub-flow: the parent's nonRetryable matches it", async () => {
    const h = await setUp([
      { name: 'refuse', steps: [{ id: 'no', fail: { message: 'no', code: 'blocked' } }] },
      {
        name: 'asks',
        steps: [
          {
            id: 'sub',
            flow: 'refuse',
            input: {},
            retry: { maximumAttempts: 5, initialIntervalMs: 1, nonRetryable: ['blocked'] },
            onError: 'routed',
          },
          { id: 'ok', set: 'ok', next: 'end' },
          { id: 'routed', set: '${steps.sub.error.message}' },
        ],
      },
    ])
    const { run } = await h.engine.startRun('asks', {})
    const done = await untilStatus(h.store, run.id, 'completed')
    const [child] = await children(h, run.id)
    expect(done.output).toBe(`child run ${child?.id} of flow refuse@1 failed: no`)
    expect((await children(h, run.id)).length).toBe(1)
    await h.close()
  })
})
