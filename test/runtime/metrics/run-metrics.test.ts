/**
 * The engine's metrics on a real store and executor (WAT tasks): runs
 * started and finished by flow and status, step and attempt durations by
 * task (a step's spanning its retries), retries, group commits, the store's
 * active runs with `source="store"`, this node's gauges, takeovers from
 * another node — and label values that stay bounded however many runs go by.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { ManualClock } from '../../../runtime/engine/clock.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { WeirMetrics } from '../../../runtime/metrics/index.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { parseSamples, type Sample, sampleValue, seriesOf } from '../../fixtures/prometheus-text.js'
import { untilStatus } from '../../fixtures/run-status.js'

let cache: ComponentCache
let pool: WorkerPool

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
})

afterAll(async () => {
  await pool.close()
})

const line = {
  name: 'line',
  steps: [
    { id: 'a', task: 'inc', input: { n: 1 } },
    { id: 'b', task: 'inc', input: { n: '${steps.a.output}' } },
  ],
}
const doomed = {
  name: 'doomed',
  steps: [{ id: 'a', task: 'fail-below', input: { attempt: 1, until: 5 } }],
}
const waits = { name: 'waits', steps: [{ id: 'w', waitFor: 'go' }] }

interface Measured {
  readonly h: Harness
  readonly metrics: WeirMetrics
  read(): Promise<Sample[]>
}

/** An engine whose metrics are a registry of its own, with the flows published. */
async function setUp(
  flows: object[],
  options: Parameters<typeof harness>[2] = {},
  publish = true,
): Promise<Measured> {
  const metrics = new WeirMetrics()
  const h = await harness(pool, cache, {
    ...options,
    observers: [metrics.runs],
    takeovers: metrics.runs,
  })
  h.store.stats.observeGroupCommits(metrics.groupCommits)
  metrics.watch({ store: h.store.stats, executor: pool, engine: h.engine })
  if (publish) await publishEngineTasks(h.catalog)
  for (const flow of flows) await h.catalog.publishFlow(flow)
  return { h, metrics, read: async () => parseSamples((await metrics.scrape()).text) }
}

async function runAll(h: Harness, flow: string, count: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const { run } = await h.engine.startRun(flow, {})
    await h.engine.waitForRun(run.id, 10_000)
    ids.push(run.id)
  }
  return ids
}

describe('runs, steps and attempts', () => {
  test('counted by flow and status, and by task and outcome', async () => {
    const { h, read } = await setUp([line, doomed])
    await runAll(h, 'line', 3)
    await runAll(h, 'doomed', 2)
    const samples = await read()
    const value = (name: string, labels: Record<string, string>) =>
      sampleValue(samples, name, labels)
    expect(seriesOf(samples, 'weir_runs_started_total')).toEqual([
      { flow: 'line' },
      { flow: 'doomed' },
    ])
    expect(value('weir_runs_started_total', { flow: 'line' })).toBe(3)
    expect(value('weir_runs_started_total', { flow: 'doomed' })).toBe(2)
    expect(seriesOf(samples, 'weir_runs_finished_total')).toEqual([
      { flow: 'line', status: 'completed' },
      { flow: 'doomed', status: 'failed' },
    ])
    expect(value('weir_runs_finished_total', { flow: 'line', status: 'completed' })).toBe(3)
    expect(value('weir_runs_finished_total', { flow: 'doomed', status: 'failed' })).toBe(2)
    expect(value('weir_step_duration_seconds_count', { task: 'inc' })).toBe(6)
    expect(value('weir_step_duration_seconds_count', { task: 'fail-below' })).toBe(2)
    expect(
      value('weir_attempt_duration_seconds_count', { task: 'inc', outcome: 'succeeded' }),
    ).toBe(6)
    expect(
      value('weir_attempt_duration_seconds_count', { task: 'fail-below', outcome: 'task_error' }),
    ).toBe(2)
    expect(seriesOf(samples, 'weir_retries_total')).toEqual([])
    // Every run is created (1 change) and each of its steps commits one more.
    expect(value('weir_group_commit_size_sum', {})).toBe(3 * 3 + 2 * 2)
    expect(value('weir_group_commit_duration_seconds_count', {})).toBe(
      value('weir_group_commit_size_count', {}),
    )
    await h.close()
  })

  test("a step's duration spans its retries; each attempt is observed with its outcome", async () => {
    const clock = new ManualClock()
    const retrying = {
      name: 'retrying',
      steps: [
        {
          id: 'a',
          task: 'fail-below',
          input: { attempt: '${run.attempt}', until: 3 },
          retry: { initialIntervalMs: 1000, backoffCoefficient: 2 },
        },
      ],
    }
    const { h, read } = await setUp([retrying], { clock })
    const { run } = await h.engine.startRun('retrying', {})
    await untilStatus(h.store, run.id, 'waiting')
    clock.advance(1000)
    await untilStatus(h.store, run.id, 'waiting')
    await new Promise((r) => setTimeout(r, 50))
    clock.advance(2000)
    await untilStatus(h.store, run.id, 'completed')
    const samples = await read()
    const step = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(samples, `weir_step_duration_seconds_${name}`, { task: 'fail-below', ...labels })
    // Attempts take no time on the manual clock: the step's 3 s are the two backoffs (1 s + 2 s).
    expect([step('count'), step('sum')]).toEqual([1, 3])
    expect([step('bucket', { le: '2.5' }), step('bucket', { le: '5' })]).toEqual([0, 1])
    const attempts = (outcome: string, name: string, le?: string) =>
      sampleValue(samples, `weir_attempt_duration_seconds_${name}`, {
        ...(le === undefined ? {} : { le }),
        task: 'fail-below',
        outcome,
      })
    expect([attempts('task_error', 'count'), attempts('succeeded', 'count')]).toEqual([2, 1])
    expect([attempts('task_error', 'bucket', '0.001'), attempts('succeeded', 'sum')]).toEqual([
      2, 0,
    ])
    expect(sampleValue(samples, 'weir_retries_total', { flow: 'retrying' })).toBe(2)
    expect(
      sampleValue(samples, 'weir_runs_finished_total', { flow: 'retrying', status: 'completed' }),
    ).toBe(1)
    await h.close()
  })

  test('label values stay bounded: 50 more runs add no series, and no run id is a label', async () => {
    const { h, read } = await setUp([line, doomed])
    await runAll(h, 'line', 2)
    await runAll(h, 'doomed', 1)
    const keys = (samples: readonly Sample[]) =>
      samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`).sort()
    const before = keys(await read())
    const ids = [...(await runAll(h, 'line', 40)), ...(await runAll(h, 'doomed', 10))]
    const after = await read()
    expect(keys(after)).toEqual(before)
    expect(sampleValue(after, 'weir_runs_started_total', { flow: 'line' })).toBe(42)
    const text = JSON.stringify(after)
    expect(ids.filter((id) => text.includes(id))).toEqual([])
    await h.close()
  })
})

describe('gauges read at scrape time', () => {
  test('active runs from the store carry source="store"; the node holds its runs; the executor idles', async () => {
    const single = {
      name: 'single',
      concurrency: { limit: 1 },
      steps: [{ id: 'w', waitFor: 'go' }],
    }
    const { h, read } = await setUp([waits, single])
    const ids: string[] = []
    for (const flow of ['waits', 'waits', 'single', 'single'])
      ids.push((await h.engine.startRun(flow, {})).run.id)
    const [first = '', second = '', third = '', fourth = ''] = ids
    for (const id of [first, second, third]) await untilStatus(h.store, id, 'waiting')
    // The fourth waits for the single slot of its flow's limit.
    await untilStatus(h.store, fourth, 'queued')
    const runs = (samples: readonly Sample[], status: string) =>
      sampleValue(samples, 'weir_runs', { status, source: 'store' })
    let samples = await read()
    expect(['queued', 'running', 'waiting', 'paused'].map((s) => runs(samples, s))).toEqual([
      1, 0, 3, 0,
    ])
    expect(sampleValue(samples, 'weir_leases_held')).toBe(4)
    expect(sampleValue(samples, 'weir_executor_workers')).toBe(2)
    expect(sampleValue(samples, 'weir_executor_workers_busy')).toBe(0)
    expect(sampleValue(samples, 'weir_executor_queue_length')).toBe(0)
    await h.engine.deliverEvent(first, 'go', null)
    await untilStatus(h.store, first, 'completed')
    samples = await read()
    expect(runs(samples, 'waiting')).toBe(2)
    expect(sampleValue(samples, 'weir_leases_held')).toBe(3)
    await h.close()
  })
})

describe('takeovers', () => {
  test("runs claimed from a node that let them go are counted, at start and in the lease loop's ticks", async () => {
    const fast = { leaseMs: 400, renewMs: 50 }
    const a = await harness(pool, cache, { lease: fast })
    await publishEngineTasks(a.catalog)
    await a.catalog.publishFlow(waits)
    const first = (await a.engine.startRun('waits', {})).run
    await a.engine.stop()
    // b starts after a let its run go: its start takes it (its own runs, it has none, are not counted).
    const b = await setUp(
      [],
      {
        dir: mkdtempSync(join(tmpdir(), 'weir-metrics-node-b-')),
        url: a.url,
        lease: fast,
      },
      false,
    )
    expect(await b.h.engine.recover()).toBe(1)
    let samples = await b.read()
    expect(sampleValue(samples, 'weir_takeovers_total')).toBe(1)
    expect(sampleValue(samples, 'weir_leases_held')).toBe(1)
    // A third node starts a run and stops; b's lease loop takes it.
    const c = await harness(pool, cache, {
      dir: mkdtempSync(join(tmpdir(), 'weir-metrics-node-c-')),
      url: a.url,
      lease: fast,
    })
    const second = (await c.engine.startRun('waits', {})).run
    await c.engine.stop()
    for (let tries = 0; tries < 200; tries++) {
      samples = await b.read()
      if (sampleValue(samples, 'weir_takeovers_total') === 2) break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(sampleValue(samples, 'weir_takeovers_total')).toBe(2)
    expect(sampleValue(samples, 'weir_leases_held')).toBe(2)
    // b finishes both: their ends count on b, their starts where they started.
    for (const run of [first, second]) {
      await b.h.engine.deliverEvent(run.id, 'go', null)
      await untilStatus(b.h.store, run.id, 'completed')
    }
    samples = await b.read()
    expect(
      sampleValue(samples, 'weir_runs_finished_total', { flow: 'waits', status: 'completed' }),
    ).toBe(2)
    expect(seriesOf(samples, 'weir_runs_started_total')).toEqual([])
    await Promise.all([a.store.close(), c.store.close(), b.h.close()])
  })
})
