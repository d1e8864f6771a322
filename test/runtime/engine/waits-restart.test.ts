/**
 * A process with a run waiting for its callback, a sleeping run and an hourly
 * schedule is killed with SIGKILL; a new process (its clock two hours later)
 * takes the callback, wakes the sleeper and fires the missed tick once.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { ManualClock } from '../../../runtime/engine/clock.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { Scheduler } from '../../../runtime/schedules/scheduler.js'
import { databaseOf, harness } from '../../fixtures/engine-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { testStoreKind } from '../../fixtures/test-stores.js'

const child = fileURLToPath(new URL('../../fixtures/waiting-child.ts', import.meta.url))

test('a callback wait, a sleep and a schedule survive kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-waits-restart-'))
  const url = await databaseOf(testStoreKind(), dir)
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve)
    proc.once('exit', (code) => reject(new Error(`the child exited with ${code}`)))
  })
  const { askRun, token, napRun } = JSON.parse(line) as {
    askRun: string
    token: string
    napRun: string
  }
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill('SIGKILL')
  await exited

  const clock = new ManualClock(Date.now() + 2 * 3_600_000)
  // A new, empty component cache: the components come back from the store.
  const cache = tempCache()
  const pool = await WorkerPool.start({ cache, size: 1 })
  const h = await harness(pool, cache, { clock, dir })
  const scheduler = new Scheduler({ store: h.store, engine: h.engine, clock, pollMs: 86_400_000 })
  expect(await h.engine.recover()).toBe(2)
  await scheduler.start()

  expect((await untilStatus(h.store, napRun, 'completed')).output).toBe(2)
  expect((await h.store.getRun(askRun))?.status).toBe('waiting')
  await h.engine.callback(token, { status: 'succeeded', output: { ok: true } })
  expect((await untilStatus(h.store, askRun, 'completed')).output).toEqual({ ok: true })
  await expect(
    h.engine.callback(token, { status: 'succeeded', output: { ok: true } }),
  ).rejects.toMatchObject({
    code: 'conflict',
  })
  const hourly = (await h.store.listRuns({ flow: 'hourly' })).items
  expect(hourly.length).toBe(1)
  expect(hourly[0]?.idempotencyKey).toMatch(/^schedule:flow:hourly:0:\d+$/)
  const schedule = await h.store.getSchedule('flow:hourly:0')
  expect(schedule?.nextFireAt).toBeGreaterThan(clock.now())
  scheduler.stop()
  await h.close()
  await pool.close()
}, 60_000)
