/**
 * The workload issue 19 compares weir on, and the peers run beside it:
 * `weir serve` from the build, in its own process; 100 sequential warm-up
 * calls; 500 sequential calls of a 3-step chain of "add one" for latency;
 * then completed workflows per second from 1, 10, 50 and 200 concurrent
 * keep-alive clients, for the 3- and 5-step chains, every call started with
 * `?wait` and its result checked; the server's CPU time per workflow and its
 * resident memory, from /proc. For `strict` and `normal` durability. The
 * client side is `runWorkload` (workload.ts), which every system meets alike.
 *
 * Interleaved in one sitting, each round measures, per durability, this
 * checkout, then an earlier checkout (`--before <dir>`: a git worktree of an
 * earlier commit, with the same node_modules), then Restate (`--restate`:
 * its default, fsync per log write, beside `strict`; without the fsync beside
 * `normal`).
 *
 * Usage: npm run bench -- workflows [calls per client count, default 3000]
 *   [--rounds N] [--before <checkout>] [--restate]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { installRestate, measureRestate } from './peer-restate.js'
import { serveWeir } from './weir-serve.js'
import { type Chain, runWorkload, stepsOf } from './workload.js'

export interface WorkflowsOptions {
  readonly calls: number
  readonly rounds: number
  /** An earlier checkout measured beside this one. */
  readonly before?: string
  readonly restate: boolean
}

/** Reads `[calls] [--rounds N] [--before <dir>] [--restate]`. */
export function workflowsOptions(args: readonly string[]): WorkflowsOptions {
  const value = (flag: string) => {
    const at = args.indexOf(flag)
    return at < 0 ? undefined : args[at + 1]
  }
  const first = args[0]
  const before = value('--before')
  return {
    calls: first !== undefined && /^\d+$/.test(first) ? Number(first) : 3000,
    rounds: Number(value('--rounds') ?? 1),
    ...(before === undefined ? {} : { before }),
    restate: args.includes('--restate'),
  }
}

/** weir's rows on one checkout (`root`; default this one). */
async function measureWeir(
  durability: 'normal' | 'strict',
  calls: number,
  label: string,
  root?: string,
): Promise<string[]> {
  const { url, token, child } = await serveWeir(durability, {}, root)
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const call = async (flow: Chain, n: number) => {
    const response = await fetch(`${url}/v1/flows/${flow}/runs?wait=30000`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ n }),
    })
    const run = (await response.json()) as { status: string; output: unknown }
    if (response.status !== 200 || run.status !== 'completed' || run.output !== n + stepsOf(flow))
      throw new Error(
        `${flow}(${n}) answered ${response.status} ${run.status} ${String(run.output)}`,
      )
  }
  try {
    return await runWorkload({ label, call, pids: [child.pid ?? 0], calls })
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
}

/** What one fsync costs on the disk the databases are on: 300 writes of 4 KiB, each synced; p50 and mean. */
function fsyncTime(): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-fsync-'))
  const fd = openSync(join(dir, 'file'), 'w')
  const block = Buffer.alloc(4096, 1)
  const times: number[] = []
  for (let i = 0; i < 300; i++) {
    writeSync(fd, block, 0, block.length, (i % 16) * block.length)
    const began = performance.now()
    fdatasyncSync(fd)
    times.push(performance.now() - began)
  }
  closeSync(fd)
  rmSync(dir, { recursive: true, force: true })
  times.sort((a, b) => a - b)
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length
  return `${(times[150] as number).toFixed(3)} / ${mean.toFixed(3)} ms`
}

export async function benchWorkflows(options: WorkflowsOptions): Promise<string[]> {
  const restate = options.restate ? await installRestate() : undefined
  const lines = ['| system, durability, round | measure | value |', '|---|---|---|']
  lines.push(`| this disk | fdatasync of a 4 KiB write, p50 / mean | ${fsyncTime()} |`)
  for (let round = 1; round <= options.rounds; round++)
    for (const durability of ['strict', 'normal'] as const) {
      const tag = options.rounds > 1 ? ` #${round}` : ''
      lines.push(...(await measureWeir(durability, options.calls, `weir ${durability}${tag}`)))
      if (options.before)
        lines.push(
          ...(await measureWeir(
            durability,
            options.calls,
            `weir before, ${durability}${tag}`,
            options.before,
          )),
        )
      if (restate) {
        const mode = durability === 'strict' ? 'default' : 'no-fsync'
        lines.push(...(await measureRestate(restate, mode, options.calls, `Restate ${mode}${tag}`)))
      }
    }
  return lines
}
