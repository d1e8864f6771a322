/**
 * The larger crash test: a child process runs 2,000 runs of a 5-step flow and
 * is killed with SIGKILL at random moments ten times, then finishes; every
 * run must complete with the right output and the database must be intact.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { LibsqlStore } from '../runtime/store/index.js'

const child = fileURLToPath(new URL('../test/fixtures/crash-child.ts', import.meta.url))

function launch(dataDir: string, runs: number) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, String(runs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  const started = new Promise<void>((resolve) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('started')) resolve()
    })
  })
  const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve))
  return { proc, started, exited }
}

export async function benchCrash(runs = 2000, kills = 10): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-crash-'))
  const began = performance.now()
  let killed = 0
  while (killed < kills) {
    const child = launch(dataDir, runs)
    await child.started
    await new Promise((r) => setTimeout(r, 200 + Math.random() * 1500))
    if (await Promise.race([child.exited.then(() => true), Promise.resolve(false)])) break
    child.proc.kill('SIGKILL')
    await child.exited
    killed++
  }
  const last = launch(dataDir, runs)
  const code = await last.exited
  const store = await LibsqlStore.open({ url: `file:${join(dataDir, 'weir.db')}` })
  const rows = await store.client.execute('SELECT status, input, output FROM runs')
  const wrong = rows.rows.filter(
    (r) =>
      r.status !== 'completed' ||
      JSON.parse(String(r.output)).n !== JSON.parse(String(r.input)).n + 5,
  )
  const twice = await store.client.execute(
    "SELECT COUNT(*) AS n FROM (SELECT run_id, step_id FROM step_runs WHERE status = 'succeeded' GROUP BY run_id, step_id HAVING COUNT(*) > 1)",
  )
  const integrity = await store.client.execute('PRAGMA integrity_check')
  await store.close()
  return [
    '| measure | value |',
    '|---|---|',
    `| runs × steps | ${runs} × 5 |`,
    `| SIGKILLs | ${killed} |`,
    `| final exit code | ${code} |`,
    `| runs not completed with the right output | ${wrong.length} of ${rows.rows.length} |`,
    `| steps that succeeded twice | ${Number(twice.rows[0]?.n)} |`,
    `| integrity_check | ${integrity.rows[0]?.integrity_check} |`,
    `| wall time | ${((performance.now() - began) / 1000).toFixed(1)} s |`,
  ]
}
