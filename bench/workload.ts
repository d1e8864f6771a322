/**
 * The client side of the workflows workload of issue 19, shared by weir and
 * the peers it is compared with, so that every system meets exactly the same
 * client: 100 sequential warm-up calls; 500 sequential calls of the 3-step
 * chain for latency; then completed workflows per second from 1, 10, 50 and
 * 200 concurrent keep-alive clients for the 3- and 5-step chains; the CPU time
 * per workflow and the resident memory of the server processes, from /proc.
 */
import { readFileSync } from 'node:fs'

/** The two chains of "add one" every system under test offers. */
export type Chain = 'three' | 'five'

/** Runs `chain` on `n` until it has finished, and throws unless it answered n + its steps. */
export type CallChain = (chain: Chain, n: number) => Promise<void>

/** The number a chain adds to its input: one per step. */
export const stepsOf = (chain: Chain): number => (chain === 'three' ? 3 : 5)

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number

/** The CPU time (user + system, all threads) in ms and the resident set in MiB, summed over `pids`. */
export function usage(pids: readonly number[]): { cpuMs: number; rssMiB: number } {
  let cpuMs = 0
  let rssMiB = 0
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    cpuMs += (Number(fields[11]) + Number(fields[12])) * 10
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    rssMiB += Number(rss ?? 0) / 1024
  }
  return { cpuMs, rssMiB }
}

export interface Workload {
  /** The first column of every row (a durability, a configuration). */
  readonly label: string
  readonly call: CallChain
  /** The server's processes: their CPU time and resident memory are summed. */
  readonly pids: readonly number[]
  /** Calls per client count (at most 500 with one client). */
  readonly calls: number
}

/** Runs the workload against a started server and returns its table rows (`| label | measure | value |`). */
export async function runWorkload({ label, call, pids, calls }: Workload): Promise<string[]> {
  const lines: string[] = []
  for (let i = 0; i < 100; i++) await call('three', i % 100)
  const idle = usage(pids)
  const latencies: number[] = []
  for (let i = 0; i < 500; i++) {
    const began = performance.now()
    await call('three', i % 100)
    latencies.push(performance.now() - began)
  }
  latencies.sort((a, b) => a - b)
  lines.push(
    `| ${label} | sequential 3-step p50 / p99 | ${quantile(latencies, 0.5).toFixed(2)} / ${quantile(latencies, 0.99).toFixed(2)} ms |`,
  )
  lines.push(`| ${label} | RSS idle (after warm-up) | ${idle.rssMiB.toFixed(0)} MiB |`)
  let peak = 0
  for (const chain of ['three', 'five'] as const) {
    for (const clients of [1, 10, 50, 200]) {
      const total = clients === 1 ? Math.min(calls, 500) : calls
      const before = usage(pids)
      let next = 0
      const began = performance.now()
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < total) {
            const n = next++
            await call(chain, n % 100)
          }
        }),
      )
      const seconds = (performance.now() - began) / 1000
      const after = usage(pids)
      peak = Math.max(peak, after.rssMiB)
      lines.push(
        `| ${label} | ${stepsOf(chain)}-step, ${clients} clients: workflows/s, CPU ms per workflow | ${(total / seconds).toFixed(0)}, ${((after.cpuMs - before.cpuMs) / total).toFixed(2)} |`,
      )
    }
  }
  lines.push(`| ${label} | RSS after the load | ${peak.toFixed(0)} MiB |`)
  return lines
}
