/**
 * Several nodes under SIGKILL and SIGSTOP, on one database (libSQL, or
 * PostgreSQL in the suite's second pass): two nodes (processes, each with its
 * own data directory and node id) start 300 runs of a 5-step flow round-robin
 * (each its half, with idempotency keys, so a restarted node starts each once). The
 * second node is paused with SIGSTOP while it owns unfinished runs, until the
 * first has taken them over, then resumed; the first is killed with SIGKILL
 * twice while it owns unfinished runs, and started again. Every run
 * completes with the right output, no step succeeded twice, and the paused
 * node commits nothing for the runs it lost.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { nodeIdOf } from '../../../runtime/server/node-id.js'
import {
  type CrashChild,
  expectEveryRunCompletedOnce,
  startCrashChild,
} from '../../fixtures/crash-checks.js'
import { unfinishedRunsOf } from '../../fixtures/crash-child-process.js'
import { databaseOf } from '../../fixtures/engine-harness.js'
import { openTestStore, testStoreKind } from '../../fixtures/test-stores.js'

const runs = 300
const steps = 5
// Each node starts its half of the runs (round-robin), one every 20 ms: there are unfinished runs to lose all along.
const lease = { leaseMs: 1000, renewMs: 200, gapMs: 20 }
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function started(node: CrashChild): Promise<void> {
  const outcome = await Promise.race([
    node.started.then(() => 'started' as const),
    node.exited.then(() => 'exited' as const),
  ])
  if (outcome === 'exited') throw new Error(`a node exited early:\n${node.output()}`)
}

/** Waits until `check` holds (polling), or fails saying what it waited for. */
async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (await check()) return
  throw new Error(`timed out waiting until ${what}`)
}

test('two nodes: runs survive one node paused past its lease and the other killed twice', async () => {
  const kind = testStoreKind()
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'weir-nodes-crash-')))
  const ids = await Promise.all(dirs.map((d) => nodeIdOf(d)))
  const [first = '', second = ''] = ids
  const url = await databaseOf(kind, dirs[0] as string)
  // Opened first: the database is migrated before the nodes start.
  const store = await openTestStore(kind, url)
  const start = (i: number) =>
    startCrashChild(dirs[i] as string, runs, url, { ...lease, share: `${i}/2` })
  const nodes = [start(0), start(1)]
  try {
    await Promise.all(nodes.map(started))

    // The second node, paused while it owns unfinished runs, loses them to the first.
    let lost: string[] = []
    await until('the second node owns unfinished runs', async () => {
      lost = await unfinishedRunsOf(store, second)
      return lost.length > 0
    })
    const paused = nodes[1] as CrashChild
    paused.process.kill('SIGSTOP')
    lost = await unfinishedRunsOf(store, second)
    await until('the first node took the paused node’s runs', async () => {
      const still = new Set(await unfinishedRunsOf(store, second))
      return lost.every((id) => !still.has(id))
    })
    paused.process.kill('SIGCONT')

    // The first node, killed while it owns unfinished runs, is started again.
    for (let kill = 0; kill < 2; kill++) {
      await until(
        'the first node owns unfinished runs',
        async () => (await unfinishedRunsOf(store, first)).length > 0,
      )
      const victim = nodes[0] as CrashChild
      victim.process.kill('SIGKILL')
      await victim.exited
      nodes[0] = start(0)
      await started(nodes[0])
    }
    const codes = await Promise.all(nodes.map((n) => n.exited))
    expect(codes, nodes.map((n) => n.output()).join('\n')).toEqual([0, 0])
    expect(lost.length).toBeGreaterThan(0)
    await expectEveryRunCompletedOnce(store, kind, runs, steps)
  } finally {
    for (const n of nodes) n.process.kill('SIGKILL')
    await store.close()
  }
}, 120_000)
