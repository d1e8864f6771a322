/**
 * The pool shares its workers fairly between groups, with real WAT tasks:
 * the order attempts of several groups run in, the cap on the workers one
 * group holds, attempts queued in a worker taken back for another group, and
 * aborted attempts that never start.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { AttemptStop } from '../../../runtime/executor/attempt-stop.js'
import type { AttemptResult, ExecutableTask } from '../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { JsonValue } from '../../../types/index.js'
import { engineTasksComponent } from '../../fixtures/engine-tasks.js'
import { executableTask, tempCache } from '../../fixtures/executor-harness.js'
import { probeComponent } from '../../fixtures/probe-component.js'

let cache: ComponentCache
let inc: ExecutableTask
let burn: ExecutableTask
const pools: WorkerPool[] = []

beforeAll(async () => {
  cache = tempCache()
  const tasks = await engineTasksComponent()
  inc = await executableTask(cache, tasks, 'inc')
  burn = await executableTask(cache, tasks, 'burn')
})

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()))
})

async function pool(size: number): Promise<WorkerPool> {
  const started = await WorkerPool.start({ cache, size })
  pools.push(started)
  return started
}

/** A fresh `tick` task: its warm instance counts the calls it served. */
async function tick(): Promise<ExecutableTask> {
  return executableTask(cache, await probeComponent(), 'tick')
}

/** Runs an attempt, recording its name in `order` when it finishes. */
function run(
  target: WorkerPool,
  order: string[],
  name: string,
  task: ExecutableTask,
  input: JsonValue,
  stop?: AttemptStop,
): Promise<AttemptResult> {
  const group = name.slice(0, 1)
  return target.execute({ task, input, group, ...(stop ? { stop } : {}) }).then((result) => {
    order.push(name)
    return result
  })
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
const long = { millions: 300 }

describe('fair worker pool', () => {
  test('one worker alternates between groups: the group that started least recently goes next', async () => {
    const solo = await pool(1)
    const order: string[] = []
    // While w1 runs, both groups queue up; then they take turns.
    const busy = run(solo, order, 'w1', burn, long)
    const names = ['a1', 'a2', 'a3', 'a4', 'b1', 'b2']
    const results = await Promise.all(names.map((n) => run(solo, order, n, inc, { n: 1 })))
    await busy
    expect(order).toEqual(['w1', 'a1', 'b1', 'a2', 'b2', 'a3', 'a4'])
    expect(results.map((r) => r.status)).toEqual(names.map(() => 'succeeded'))
  })

  test('one group holds at most workers − 1 workers: another group starts at once', async () => {
    const pair = await pool(2)
    const order: string[] = []
    const spinning = ['a1', 'a2', 'a3'].map((n) => run(pair, order, n, burn, long))
    const other = run(pair, order, 'b1', inc, { n: 41 })
    expect(await other).toMatchObject({ status: 'succeeded', output: 42 })
    await Promise.all(spinning)
    expect(order).toEqual(['b1', 'a1', 'a2', 'a3'])
  })

  test('maxWorkersPerGroup lets one group take every worker', async () => {
    const pair = await WorkerPool.start({ cache, size: 2, maxWorkersPerGroup: 2 })
    pools.push(pair)
    const order: string[] = []
    const spinning = ['a1', 'a2'].map((n) => run(pair, order, n, burn, long))
    const other = run(pair, order, 'b1', inc, { n: 41 })
    await Promise.all([...spinning, other])
    // Both workers run a's attempts: b1 can only start once one of them is done.
    expect(['a1', 'a2']).toContain(order[0])
    expect([...order].sort()).toEqual(['a1', 'a2', 'b1'])
  })

  test('an attempt queued behind a running one is taken back when another group could start, and runs once later', async () => {
    const solo = await pool(1)
    const counter = await tick()
    await solo.execute({ task: burn, input: { millions: 1 }, group: 'warm' })
    expect(
      await solo.execute({ task: counter, input: { fail: false }, group: 'warm' }),
    ).toMatchObject({ status: 'succeeded', output: 1 })
    const order: string[] = []
    // a1 runs; a2 is queued in the worker behind it (no other group waits) ...
    const a1 = run(solo, order, 'a1', burn, long)
    const a2 = run(solo, order, 'a2', counter, { fail: false })
    await pause(20)
    // ... until b1 arrives while a1 still runs: a2 is skipped there and b1 goes first.
    const b1 = run(solo, order, 'b1', inc, { n: 1 })
    await Promise.all([a1, a2, b1])
    expect(order).toEqual(['a1', 'b1', 'a2'])
    expect(await a2).toMatchObject({ status: 'succeeded', output: 2 })
  })

  test('aborted attempts, queued in the worker or in the pool, are answered at once and never start', async () => {
    const solo = await pool(1)
    const counter = await tick()
    await solo.execute({ task: burn, input: { millions: 1 }, group: 'warm' })
    expect(await solo.execute({ task: counter, input: { fail: false } })).toMatchObject({
      status: 'succeeded',
      output: 1,
    })
    const order: string[] = []
    const inWorker = new AttemptStop()
    const inPool = new AttemptStop()
    const a1 = run(solo, order, 'a1', burn, long)
    const a2 = run(solo, order, 'a2', counter, { fail: false }, inWorker)
    const a3 = run(solo, order, 'a3', counter, { fail: false }, inPool)
    await pause(20)
    inWorker.stop()
    inPool.stop()
    const cancelled = {
      status: 'failed',
      error: { kind: 'cancelled', message: 'the attempt was terminated' },
      durationMs: 0,
    }
    expect(await a2).toMatchObject(cancelled)
    expect(await a3).toMatchObject(cancelled)
    expect(await a1).toMatchObject({ status: 'succeeded', output: 300 })
    expect(order).toEqual(['a2', 'a3', 'a1'])
    expect(await solo.execute({ task: counter, input: { fail: false } })).toMatchObject({
      status: 'succeeded',
      output: 2,
    })
  })
})
