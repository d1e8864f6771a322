/**
 * Durability under SIGKILL: a child process runs 200 runs of a 5-step flow and
 * is killed at random moments, at least 5 times, and restarted. In the end every
 * run has completed with the right output, each run's history is consistent
 * (no step succeeded twice, attempts increase, events in order), and the
 * database passes its integrity check. The same with runs whose steps are
 * child runs: each attempt of a flow step started exactly one child; and with
 * a forEach in flight: each item ran in exactly one child. On the
 * store the suite runs on (libSQL, or PostgreSQL in its second pass).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import {
  expectEveryComposedRunCompletedOnce,
  expectEveryItemRanOnce,
  expectEveryRunCompletedOnce,
  startCrashChild,
} from '../../fixtures/crash-checks.js'
import { databaseOf } from '../../fixtures/engine-harness.js'
import { openTestStore, testStoreKind } from '../../fixtures/test-stores.js'

const runs = 200
const steps = 5
/** Root runs of the composed crash test: each starts a child run per step. */
const composedRuns = 60

/** Starts the crash child again and again, killing it at random moments, then once to the end; returns the kills. */
async function killRepeatedly(
  dataDir: string,
  url: string,
  count: number,
  composed: 'steps' | 'children' | 'each',
): Promise<number> {
  const start = () => startCrashChild(dataDir, count, url, undefined, composed)
  let kills = 0
  while (kills < 6) {
    const proc = start()
    const outcome = await Promise.race([
      proc.started.then(() => 'started' as const),
      proc.exited.then(() => 'exited' as const),
    ])
    if (outcome === 'exited') throw new Error(`the child exited early:\n${proc.output()}`)
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 700))
    const finished = await Promise.race([proc.exited.then(() => true), Promise.resolve(false)])
    if (finished) break
    proc.process.kill('SIGKILL')
    await proc.exited
    kills++
  }
  const last = start()
  const code = await last.exited
  expect(code, last.output()).toBe(0)
  return kills
}

test('runs survive SIGKILL at random moments', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-crash-'))
  const kind = testStoreKind()
  const url = await databaseOf(kind, dataDir)
  expect(await killRepeatedly(dataDir, url, runs, 'steps')).toBeGreaterThanOrEqual(5)
  const store = await openTestStore(kind, url)
  try {
    await expectEveryRunCompletedOnce(store, kind, runs, steps)
  } finally {
    await store.close()
  }
}, 180_000)

test('runs with a forEach in flight survive SIGKILL: every item runs once, in one child, and the output is complete', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-crash-each-'))
  const kind = testStoreKind()
  const url = await databaseOf(kind, dataDir)
  expect(await killRepeatedly(dataDir, url, composedRuns, 'each')).toBeGreaterThanOrEqual(3)
  const store = await openTestStore(kind, url)
  try {
    await expectEveryItemRanOnce(store, composedRuns, 5)
  } finally {
    await store.close()
  }
}, 180_000)

test('runs whose steps are child runs survive SIGKILL: no child started twice, parents resume their waits', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-crash-composed-'))
  const kind = testStoreKind()
  const url = await databaseOf(kind, dataDir)
  expect(await killRepeatedly(dataDir, url, composedRuns, 'children')).toBeGreaterThanOrEqual(3)
  const store = await openTestStore(kind, url)
  try {
    await expectEveryComposedRunCompletedOnce(store, composedRuns, steps)
  } finally {
    await store.close()
  }
}, 180_000)
