/**
 * Outbound HTTP overhead: a JavaScript task (test/fixtures/js-http, built by
 * the test setup or `weir task build`) that makes one loopback GET, run
 * through the executor, against the same request made directly from Node
 * (node:http, a new connection per request as the sandbox's helper makes it,
 * and Node's fetch with keep-alive), and against an attempt of the same task
 * that makes no request (a refused origin is answered inside the worker).
 */
import { readFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ComponentCache } from '../runtime/components/component-cache.js'
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { executableTask } from '../test/fixtures/executor-harness.js'

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function timed(runs: number, once: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(50, runs); i++) await once()
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await once()
    samples.push(performance.now() - started)
  }
  return median(samples) * 1000
}

function nodeGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve(body))
    })
    req.on('error', reject)
    req.end()
  })
}

export async function benchExecutorHttp(cache: ComponentCache, runs = 500): Promise<string[]> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end('{"ok":true,"items":[1,2,3]}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}/items?token=abc`
  const bytes = new Uint8Array(
    readFileSync(new URL('../test/fixtures/js-http/dist/fetch-json.wasm', import.meta.url)),
  )
  const task = await executableTask(cache, bytes, 'run', {
    capabilities: { http: { allow: [`http://127.0.0.1:${port}`] } },
  })
  const pool = await WorkerPool.start({ cache, size: 1 })
  const attempt = async (target: string) => {
    const result = await pool.execute({ task, input: { url: target } })
    if (result.status !== 'succeeded' && result.error.kind !== 'task_error')
      throw new Error(JSON.stringify(result))
  }
  const viaTask = await timed(runs, () => attempt(url))
  const refused = await timed(runs, () => attempt(`http://127.0.0.1:${port + 1}/`))
  const viaNodeHttp = await timed(runs, () => nodeGet(url))
  const viaFetch = await timed(runs, async () => (await fetch(url)).text())
  await pool.close()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  const us = (n: number) => `${n.toFixed(0)} µs`
  return [
    '',
    `| one loopback GET (median of ${runs}) | time |`,
    '|---|---|',
    `| Node, node:http, new connection | ${us(viaNodeHttp)} |`,
    `| Node, fetch (keep-alive) | ${us(viaFetch)} |`,
    `| JS task attempt through the executor, fetch of the same URL | ${us(viaTask)} |`,
    `| JS task attempt, request refused (no network) | ${us(refused)} |`,
    `| overhead of the task's request over node:http | ${us(viaTask - viaNodeHttp)} |`,
  ]
}
