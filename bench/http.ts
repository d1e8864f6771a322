/**
 * The HTTP API end to end, with the server in its own process (WAL file
 * database, or the database `dbUrl` names; one worker thread per core) and this process as the client over
 * keep-alive connections: start-to-completion latency of a 3-step flow started
 * with `?wait` on an idle server, and starts per second (201 answers) with 50
 * concurrent clients.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number

/** A benchmark server in its own process, on a data directory of its own (and the database `dbUrl` names). */
export async function startServer(
  dbUrl: string | undefined,
  env: Readonly<Record<string, string>> = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-http-'))
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL('./http-server.ts', import.meta.url).pathname,
      dataDir,
      ...(dbUrl ? [dbUrl] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    },
  )
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`the benchmark server exited with ${code}`)))
  })
  const { url, token } = JSON.parse(line) as { url: string; token: string }
  return { url, token, child }
}

export async function benchHttp(
  clients = 50,
  starts = 10_000,
  dbUrl?: string,
  env: Readonly<Record<string, string>> = {},
): Promise<string[]> {
  const { url, token, child } = await startServer(dbUrl, env)
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const start = async (query: string, n: number) => {
    const response = await fetch(`${url}/v1/flows/three/runs${query}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ n }),
    })
    const body = (await response.json()) as { status: string }
    return { code: response.status, status: body.status }
  }
  for (let i = 0; i < 300; i++) await start('?wait=10000', i % 100)

  const lines = ['| measure | value |', '|---|---|']
  const latencies: number[] = []
  for (let i = 0; i < 1000; i++) {
    const began = performance.now()
    const { code, status } = await start('?wait=10000', i % 100)
    if (code !== 200 || status !== 'completed') throw new Error(`run answered ${code} ${status}`)
    latencies.push(performance.now() - began)
  }
  latencies.sort((a, b) => a - b)
  lines.push(
    `| 3-step run over HTTP with ?wait, start to completion p50 | ${quantile(latencies, 0.5).toFixed(2)} ms |`,
  )
  lines.push(
    `| 3-step run over HTTP with ?wait, start to completion p99 | ${quantile(latencies, 0.99).toFixed(2)} ms |`,
  )

  const rates: number[] = []
  for (let round = 0; round < 3; round++) {
    let next = 0
    const began = performance.now()
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < starts) {
          const n = next++
          const { code } = await start('', n % 100)
          if (code !== 201) throw new Error(`start answered ${code}`)
        }
      }),
    )
    rates.push(starts / ((performance.now() - began) / 1000))
    // Let the runs finish before the next round, so each round starts on an idle engine.
    for (;;) {
      const page = (await (
        await fetch(`${url}/v1/runs?status=running&limit=1`, { headers })
      ).json()) as { items: unknown[] }
      if (page.items.length === 0) break
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  rates.sort((a, b) => a - b)
  lines.push(
    `| starts/s, ${clients} concurrent clients, ${starts} starts (median of 3) | ${quantile(rates, 0.5).toFixed(0)} |`,
  )
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  return lines
}
