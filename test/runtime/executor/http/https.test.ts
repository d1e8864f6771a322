/**
 * HTTPS from a task: certificates are verified against Node's store plus the
 * pool's extra CA (WEIR_EXTRA_CA), made here with openssl for this test; the
 * response body cap is the pool's setting.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ComponentCache } from '../../../../runtime/components/component-cache.js'
import type { ExecutableTask } from '../../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../../runtime/executor/worker-pool.js'
import { executableTask, tempCache } from '../../../fixtures/executor-harness.js'
import { httpsServer, makeCertificates, type TestServer } from '../../../fixtures/http-servers.js'

let cache: ComponentCache
let server: TestServer
let caPath: string
let task: ExecutableTask
const pools: WorkerPool[] = []

beforeAll(async () => {
  const ca = makeCertificates()
  caPath = ca.caPath
  server = await httpsServer(ca, (req, _body, res) => {
    if (req.url === '/large') {
      res.end(Buffer.alloc(5000, 98))
      return
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ secure: true, url: req.url }))
  })
  cache = tempCache()
  const bytes = new Uint8Array(
    readFileSync(new URL('../../../fixtures/js-http/dist/fetch-json.wasm', import.meta.url)),
  )
  task = await executableTask(cache, bytes, 'run', {
    capabilities: { http: { allow: ['https://localhost:*'] } },
  })
})

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()))
  await server.close()
})

async function start(http: { maxResponseBytes?: number; extraCa?: string }): Promise<WorkerPool> {
  const pool = await WorkerPool.start({ cache, size: 1, http })
  pools.push(pool)
  return pool
}

test('HTTPS to a server whose CA is the extra CA succeeds', async () => {
  const pool = await start({ extraCa: caPath })
  const url = `https://localhost:${server.port}/hello`
  const result = await pool.execute({ task, input: { url } })
  expect(result).toMatchObject({
    status: 'succeeded',
    output: { status: 200, url, body: '{"secure":true,"url":"/hello"}' },
  })
  expect(result.log).toMatch(
    new RegExp(`^http GET https://localhost:${server.port}/hello 200 30 B \\d+ ms\\n$`),
  )
})

test('without the extra CA the certificate is not trusted, and the request fails inside the task', async () => {
  const pool = await start({})
  const result = await pool.execute({ task, input: { url: `https://localhost:${server.port}/` } })
  expect(result).toMatchObject({
    status: 'failed',
    error: {
      kind: 'task_error',
      message: 'TypeError: NetworkError when attempting to fetch resource',
    },
  })
  expect(result.log).toMatch(
    new RegExp(
      `^http GET https://localhost:${server.port}/ failed after \\d+ ms: certificate: unable to verify the first certificate\\n$`,
    ),
  )
})

test('the response cap is the pool setting', async () => {
  const pool = await start({ extraCa: caPath, maxResponseBytes: 4096 })
  const result = await pool.execute({
    task,
    input: { url: `https://localhost:${server.port}/large` },
  })
  expect(result).toMatchObject({ status: 'failed', error: { kind: 'task_error' } })
  expect(result.log).toMatch(
    new RegExp(
      `^http GET https://localhost:${server.port}/large 200 4096 B \\d+ ms: cut: the response body is larger than the limit of 4096 bytes\\n$`,
    ),
  )
})

test('an extra CA file that cannot be read stops the pool from starting', async () => {
  await expect(
    WorkerPool.start({ cache, size: 1, http: { extraCa: '/nonexistent/ca.pem' } }),
  ).rejects.toThrow(
    "cannot read the extra CA file: ENOENT: no such file or directory, open '/nonexistent/ca.pem'",
  )
})
