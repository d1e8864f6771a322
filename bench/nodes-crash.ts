/**
 * The larger multi-node crash test: N nodes (processes, each with its own data
 * directory and node id) on one database start 2,000 runs of a 5-step flow
 * round-robin, one every 5 ms each; about every second a random node is
 * killed with SIGKILL (and started again once others drove its runs, plus a
 * second), and once, first, a node is paused with SIGSTOP past its lease.
 * Reported: whether every run completed once with the right output, and how
 * long the other nodes took to drive a killed node's unfinished runs.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeIdOf } from '../runtime/server/node-id.js'
import { openStore, type SqlStore } from '../runtime/store/index.js'
import {
  type CrashChild,
  startCrashChild,
  unfinishedRunsOf,
} from '../test/fixtures/crash-child-process.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const lease = { leaseMs: 2000, renewMs: 500, gapMs: 5 }

/** Milliseconds until none of `runs` is an unfinished run of `node` any more. */
async function takenOver(store: SqlStore, node: string, runs: readonly string[]): Promise<number> {
  const began = performance.now()
  for (;;) {
    const still = new Set(await unfinishedRunsOf(store, node))
    if (runs.every((id) => !still.has(id))) return performance.now() - began
    await sleep(20)
  }
}

async function counts(store: SqlStore, runs: number, steps: number) {
  const rows = (await store.client.execute('SELECT status, input, output FROM runs')).rows
  const wrong = rows.filter(
    (r) =>
      r.status !== 'completed' ||
      (JSON.parse(String(r.output)) as { n: number }).n !==
        (JSON.parse(String(r.input)) as { n: number }).n + steps,
  ).length
  const twice = await store.client.execute(
    "SELECT COUNT(*) AS n FROM (SELECT run_id, step_id FROM step_runs WHERE status = 'succeeded' GROUP BY run_id, step_id HAVING COUNT(*) > 1) AS doubled",
  )
  return { stored: rows.length, wrong, twice: Number(twice.rows[0]?.n), expected: runs }
}

/** `nodes` crash nodes on `url` (a fresh database) under SIGKILL and SIGSTOP. */
export async function benchNodesCrash(url: string, nodes: number, runs = 2000): Promise<string[]> {
  const dirs = Array.from({ length: nodes }, () =>
    mkdtempSync(join(tmpdir(), 'weir-bench-nodes-crash-')),
  )
  const ids = await Promise.all(dirs.map((d) => nodeIdOf(d)))
  const store = await openStore({ url })
  const start = (i: number) => {
    const child = startCrashChild(dirs[i] as string, runs, url, {
      ...lease,
      share: `${i}/${nodes}`,
    })
    // A node that exits by itself with an error says why (a killed one exits by signal).
    void child.exited.then((code) => {
      if (code !== 0 && !child.process.killed)
        console.error(`node ${i} exited ${code} (${child.process.signalCode}):\n${child.output()}`)
    })
    return child
  }
  const live: CrashChild[] = dirs.map((_, i) => start(i))
  const began = performance.now()
  const takeovers: number[] = []
  let paused = false
  const done = () =>
    Promise.all(
      live.map((n) => Promise.race([n.exited.then(() => true), sleep(0).then(() => false)])),
    )
  while (!(await done()).every(Boolean)) {
    await sleep(1000)
    const i = Math.floor(Math.random() * nodes)
    const node = live[i] as CrashChild
    const mine = await unfinishedRunsOf(store, ids[i] as string)
    if (mine.length === 0) continue
    if (!paused) {
      paused = true
      node.process.kill('SIGSTOP')
      takeovers.push(await takenOver(store, ids[i] as string, mine))
      node.process.kill('SIGCONT')
      continue
    }
    node.process.kill('SIGKILL')
    await node.exited
    takeovers.push(await takenOver(store, ids[i] as string, mine))
    await sleep(1000)
    live[i] = start(i)
  }
  const codes = await Promise.all(live.map((n) => n.exited))
  const seconds = (performance.now() - began) / 1000
  const result = await counts(store, runs, 5)
  await store.close()
  takeovers.sort((a, b) => a - b)
  return [
    `| ${nodes} nodes, ${runs} runs × 5 steps, ${takeovers.length - 1} SIGKILLs and 1 SIGSTOP (lease ${lease.leaseMs} ms, renewal ${lease.renewMs} ms) | ${result.stored} stored, ${result.wrong} wrong or unfinished, ${result.twice} steps succeeded twice, exit codes ${codes.join(' ')}, ${seconds.toFixed(1)} s |`,
    `| the same: another node drives a killed or paused node's unfinished runs after | ${takeovers.map((t) => `${(t / 1000).toFixed(1)} s`).join(', ')} |`,
  ]
}
