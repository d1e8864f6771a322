/**
 * Several nodes on one database, in one process (two engines, each with its
 * own store connection and node id), on a libSQL file and on PostgreSQL:
 * how long an event takes when it is sent to the node that drives the run
 * and when it is sent to another node (recorded in the store, applied by the
 * owner); how long until another node drives the runs of a node that stopped
 * (released leases) and of one that died (leases left to expire).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Catalog } from '../runtime/catalog/catalog.js'
import { ComponentCache } from '../runtime/components/component-cache.js'
import { Engine } from '../runtime/engine/engine.js'
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { openStore, type SqlStore } from '../runtime/store/index.js'
import { publishEngineTasks } from '../test/fixtures/engine-tasks.js'

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const lease = { leaseMs: 2000, renewMs: 500 }

interface Node {
  readonly store: SqlStore
  readonly engine: Engine
}

async function node(
  url: string,
  id: string,
  pool: WorkerPool,
  cache: ComponentCache,
): Promise<Node> {
  const store = await openStore({ url })
  const engine = new Engine({
    store,
    executor: pool,
    catalog: new Catalog(store, cache),
    node: { id, ...lease },
  })
  return { store, engine }
}

const waiting = {
  name: 'signalled',
  steps: [
    { id: 'wait', waitFor: 'go' },
    { id: 'add', task: 'inc', input: { n: 1 } },
  ],
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(5)
}

/** p50 and p99 of delivering an event (ms) to runs `owner` drives, through `via`. */
async function eventLatency(owner: Node, via: Node, count: number): Promise<string> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const { run } = await owner.engine.startRun('signalled', {})
    await until(async () => (await owner.store.getRun(run.id))?.status === 'waiting')
    const began = performance.now()
    await via.engine.deliverEvent(run.id, 'go', {})
    times.push(performance.now() - began)
  }
  times.sort((a, b) => a - b)
  return `${quantile(times, 0.5).toFixed(2)} ms p50, ${quantile(times, 0.99).toFixed(2)} ms p99`
}

/** Time (ms) from `leave` until `other` owns every unfinished run `gone` owned. */
async function takeover(gone: Node, other: Node, leave: () => Promise<void>): Promise<number> {
  const runs = await Promise.all(
    Array.from({ length: 20 }, () => gone.engine.startRun('signalled', {})),
  )
  for (const { run } of runs)
    await until(async () => (await gone.store.getRun(run.id))?.status === 'waiting')
  const began = performance.now()
  await leave()
  await until(async () => {
    const owners = await Promise.all(runs.map(({ run }) => other.store.runOwner(run.id)))
    return owners.every((o) => o?.owner === other.engine.node.id)
  })
  return performance.now() - began
}

export async function benchNodes(url: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-nodes-'))
  const cache = new ComponentCache(join(dir, 'components'))
  const pool = await WorkerPool.start({ cache, size: 2 })
  const a = await node(url, 'bench-a', pool, cache)
  const b = await node(url, 'bench-b', pool, cache)
  const catalog = new Catalog(a.store, cache)
  await publishEngineTasks(catalog)
  await catalog.publishFlow(waiting)
  await a.engine.recover()
  await b.engine.recover()
  const lines = ['| measure | value |', '|---|---|']
  await eventLatency(a, b, 20)
  lines.push(`| event to the owner (in process) | ${await eventLatency(a, a, 200)} |`)
  lines.push(
    `| event through another node (stored; the owner polls every 50 ms on libSQL, is signalled on PostgreSQL) | ${await eventLatency(a, b, 200)} |`,
  )
  const afterStop = await takeover(a, b, () => a.engine.stop())
  lines.push(
    `| takeover after a node stops (releases; renewal every ${lease.renewMs} ms) | ${afterStop.toFixed(0)} ms |`,
  )
  // A node that dies: it stops renewing and does not release (its runs' leases expire).
  const c = await node(url, 'bench-c', pool, cache)
  const afterDeath = await takeover(c, b, async () => undefined)
  lines.push(
    `| takeover after a node dies (lease ${lease.leaseMs} ms, renewal every ${lease.renewMs} ms) | ${afterDeath.toFixed(0)} ms |`,
  )
  await b.engine.stop()
  await Promise.all([a.store.close(), b.store.close(), c.store.close()])
  await pool.close()
  return lines
}
