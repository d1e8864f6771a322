/**
 * The workload issue 19 compares weir on (and that a peer can be run beside):
 * a server in its own process; 100 sequential warm-up calls; 500 sequential
 * calls of a 3-step chain of "add one" for latency; then completed workflows
 * per second from 1, 10, 50 and 200 concurrent keep-alive clients, for the
 * 3- and 5-step chains, every call started with `?wait` and its result
 * checked; the server's CPU time per workflow and its resident memory, from
 * /proc. For `normal` and `strict` durability.
 *
 * Usage: npm run bench -- workflows [calls per client count, default 3000]
 */
import { readFileSync } from 'node:fs'
import { startServer } from './http.js'

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number

/** The process's CPU time (user + system) in ms, and its resident set in MiB. */
function usage(pid: number): { cpuMs: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  return { cpuMs: ticks * 10, rssMiB: Number(rss ?? 0) / 1024 }
}

export async function benchWorkflows(calls = 3000): Promise<string[]> {
  const lines = ['| durability | measure | value |', '|---|---|---|']
  for (const durability of ['normal', 'strict'] as const) {
    const { url, token, child } = await startServer(undefined, { WEIR_DURABILITY: durability })
    const pid = child.pid ?? 0
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const call = async (flow: 'three' | 'five', n: number) => {
      const response = await fetch(`${url}/v1/flows/${flow}/runs?wait=30000`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ n }),
      })
      const run = (await response.json()) as { status: string; output: unknown }
      const expected = n + (flow === 'three' ? 3 : 5)
      if (response.status !== 200 || run.status !== 'completed' || run.output !== expected)
        throw new Error(
          `${flow}(${n}) answered ${response.status} ${run.status} ${String(run.output)}`,
        )
    }
    for (let i = 0; i < 100; i++) await call('three', i % 100)
    const idle = usage(pid)
    const latencies: number[] = []
    for (let i = 0; i < 500; i++) {
      const began = performance.now()
      await call('three', i % 100)
      latencies.push(performance.now() - began)
    }
    latencies.sort((a, b) => a - b)
    lines.push(
      `| ${durability} | sequential 3-step p50 / p99 | ${quantile(latencies, 0.5).toFixed(2)} / ${quantile(latencies, 0.99).toFixed(2)} ms |`,
    )
    lines.push(`| ${durability} | RSS idle (after warm-up) | ${idle.rssMiB.toFixed(0)} MiB |`)
    let peak = 0
    for (const flow of ['three', 'five'] as const) {
      for (const clients of [1, 10, 50, 200]) {
        const total = clients === 1 ? Math.min(calls, 500) : calls
        const before = usage(pid)
        let next = 0
        const began = performance.now()
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (next < total) {
              const n = next++
              await call(flow, n % 100)
            }
          }),
        )
        const seconds = (performance.now() - began) / 1000
        const after = usage(pid)
        peak = Math.max(peak, after.rssMiB)
        lines.push(
          `| ${durability} | ${flow === 'three' ? 3 : 5}-step, ${clients} clients: workflows/s, CPU ms per workflow | ${(total / seconds).toFixed(0)}, ${((after.cpuMs - before.cpuMs) / total).toFixed(2)} |`,
        )
      }
    }
    lines.push(`| ${durability} | RSS after the load | ${peak.toFixed(0)} MiB |`)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  return lines
}
