/**
 * Outbound HTTP from a JavaScript task (test/fixtures/js-http, built with the
 * http feature by the global setup) against real loopback servers: allowed
 * requests round-trip, everything else is refused inside the task and logged.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ComponentCache } from '../../../../runtime/components/component-cache.js'
import type { AttemptResult, ExecutableTask } from '../../../../runtime/executor/executor.js'
import { WorkerPool } from '../../../../runtime/executor/worker-pool.js'
import { executableTask, tempCache } from '../../../fixtures/executor-harness.js'
import { httpServer, type TestServer } from '../../../fixtures/http-servers.js'

const fixture = (name: string, file: string) =>
  new Uint8Array(readFileSync(new URL(`../../../fixtures/${name}/dist/${file}`, import.meta.url)))

let cache: ComponentCache
let pool: WorkerPool
let api: TestServer
let elsewhere: TestServer
let task: ExecutableTask
let bytes: Uint8Array

beforeAll(async () => {
  elsewhere = await httpServer((_req, _body, res) => res.end('should never be asked'))
  api = await httpServer((req, body, res) => {
    switch (req.url) {
      case '/away':
        res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/stolen` })
        res.end()
        return
      case '/hop':
        res.writeHead(302, { location: '/items?page=2' })
        res.end()
        return
      case '/hang':
        return
      case '/huge':
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        res.end(Buffer.alloc(20 * 2 ** 20, 97))
        return
      default:
        res.setHeader('content-type', 'application/json')
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            received: body ? JSON.parse(body) : null,
          }),
        )
    }
  })
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  bytes = fixture('js-http', 'fetch-json.wasm')
  task = await executableTask(cache, bytes, 'run', {
    capabilities: { http: { allow: [`http://127.0.0.1:${api.port}`, 'https://*.example.com'] } },
  })
})

afterAll(async () => {
  await pool.close()
  await api.close()
  await elsewhere.close()
})

const allowed = () => `allows http://127.0.0.1:${api.port}, https://*.example.com`
const lines = (result: AttemptResult) => result.log.split('\n').filter((l) => l !== '')
const ms = '\\d+ ms'

describe('outbound HTTP', () => {
  test('an allowed GET round-trips JSON, and the log masks the query', async () => {
    const result = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${api.port}/items?token=s3cr3t&page=1` },
    })
    const body = JSON.stringify({
      method: 'GET',
      url: '/items?token=s3cr3t&page=1',
      received: null,
    })
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { status: 200, url: `http://127.0.0.1:${api.port}/items?token=s3cr3t&page=1`, body },
    })
    expect(lines(result)).toHaveLength(1)
    expect(lines(result)[0]).toMatch(
      new RegExp(
        `^http GET http://127.0.0.1:${api.port}/items\\?token=\\*\\*\\*&page=\\*\\*\\* 200 ${body.length} B ${ms}$`,
      ),
    )
    expect(result.log).not.toContain('s3cr3t')
  })

  test('an allowed POST sends its JSON body and reads the answer', async () => {
    const result = await pool.execute({
      task,
      input: {
        url: `http://127.0.0.1:${api.port}/orders`,
        method: 'POST',
        body: '{"sku":"A-1","qty":2}',
      },
    })
    expect(result.status).toBe('succeeded')
    if (result.status !== 'succeeded') return
    const output = result.output as { status: number; body: string }
    expect(output.status).toBe(200)
    expect(JSON.parse(output.body)).toEqual({
      method: 'POST',
      url: '/orders',
      received: { sku: 'A-1', qty: 2 },
    })
    expect(lines(result)[0]).toMatch(
      new RegExp(`^http POST http://127.0.0.1:${api.port}/orders 200 \\d+ B ${ms}$`),
    )
  })

  test('requests made at once are all answered, each in its own log line', async () => {
    const result = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${api.port}/many`, parallel: 4 },
    })
    expect(result.status).toBe('succeeded')
    if (result.status !== 'succeeded') return
    const bodies = (result.output as { body: string }).body.split('\n').map((b) => JSON.parse(b))
    expect(bodies.map((b: { url: string }) => b.url)).toEqual([
      '/many?n=0',
      '/many?n=1',
      '/many?n=2',
      '/many?n=3',
    ])
    expect(lines(result)).toHaveLength(4)
    for (const line of lines(result))
      expect(line).toMatch(
        new RegExp(`^http GET http://127.0.0.1:${api.port}/many\\?n=\\*\\*\\* 200 \\d+ B ${ms}$`),
      )
  })

  test('another port is refused inside the task: it can handle it, the server hears nothing, the log says why', async () => {
    const result = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${elsewhere.port}/x` },
    })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'Error: fetch_https: An error occurred while using the host API.\n',
      },
    })
    expect(lines(result)).toEqual([
      `http request to http://127.0.0.1:${elsewhere.port} refused: task ${task.ref} ${allowed()}`,
    ])
    expect(elsewhere.hits).toEqual([])
  })

  test('a redirect is handed to the task; following it to a refused origin is refused', async () => {
    const manual = await pool.execute({ task, input: { url: `http://127.0.0.1:${api.port}/away` } })
    expect(manual).toMatchObject({ status: 'succeeded', output: { status: 302 } })
    const followed = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${api.port}/away`, follow: true },
    })
    expect(followed).toMatchObject({ status: 'failed', error: { kind: 'task_error' } })
    // The 302's line is written when its (empty) body ends, which may come after the next request,
    // or, on a busy machine, only when the attempt ends (the task never read that body).
    const [first, refusal] = lines(followed).sort()
    expect(lines(followed)).toHaveLength(2)
    expect(first).toMatch(
      new RegExp(
        `^http GET http://127.0.0.1:${api.port}/away 302 0 B ${ms}(: still under way when the attempt ended)?$`,
      ),
    )
    expect(refusal).toBe(
      `http request to http://127.0.0.1:${elsewhere.port} refused: task ${task.ref} ${allowed()}`,
    )
    expect(elsewhere.hits).toEqual([])
  })

  test('a redirect to an allowed origin can be followed', async () => {
    const result = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${api.port}/hop`, follow: true },
    })
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { status: 200, url: `http://127.0.0.1:${api.port}/items?page=2` },
    })
    expect(lines(result)).toHaveLength(2)
  })

  test('the origin is matched as the task wrote it: localhost is not 127.0.0.1', async () => {
    const result = await pool.execute({
      task,
      input: { url: `http://localhost:${api.port}/items` },
    })
    expect(result).toMatchObject({ status: 'failed', error: { kind: 'task_error' } })
    expect(lines(result)).toEqual([
      `http request to http://localhost:${api.port} refused: task ${task.ref} ${allowed()}`,
    ])
  })

  test('a URL with userinfo never reaches the server', async () => {
    const before = api.hits.length
    const result = await pool.execute({
      task,
      input: { url: `http://user:secret@127.0.0.1:${api.port}/items` },
    })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'Error: fetch_https: An error occurred while using the host API.\n',
      },
    })
    expect(api.hits.length).toBe(before)
    expect(lines(result)).toEqual([
      `http request to http://127.0.0.1:${api.port} refused: the URL carries userinfo`,
    ])
  })

  test('a non-HTTP scheme is refused', async () => {
    const result = await pool.execute({ task, input: { url: `ftp://127.0.0.1:${api.port}/file` } })
    expect(result).toMatchObject({ status: 'failed', error: { kind: 'task_error' } })
    expect(lines(result)).toEqual(['http request refused: scheme "ftp" is not http or https'])
  })

  test('a body larger than the cap is cut with a clear error', async () => {
    const result = await pool.execute({ task, input: { url: `http://127.0.0.1:${api.port}/huge` } })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'TypeError: IO error reading from incoming response body',
      },
    })
    expect(lines(result)).toHaveLength(1)
    expect(lines(result)[0]).toMatch(
      new RegExp(
        `^http GET http://127.0.0.1:${api.port}/huge 200 16777216 B ${ms}: cut: the response body is larger than the limit of 16 MiB$`,
      ),
    )
  })

  test('a connection refused fails inside the task and is logged', async () => {
    const open = await executableTask(cache, bytes, 'run', {
      capabilities: { http: { allow: ['http://127.0.0.1:*'] } },
    })
    const result = await pool.execute({ task: open, input: { url: 'http://127.0.0.1:1/' } })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'TypeError: NetworkError when attempting to fetch resource',
      },
    })
    expect(lines(result)[0]).toMatch(
      /^http GET http:\/\/127\.0\.0\.1:1\/ failed after \d+ ms: connection refused$/,
    )
  })

  test('a task version without the grant has every request refused', async () => {
    const sealed = await executableTask(cache, bytes, 'run')
    const result = await pool.execute({
      task: sealed,
      input: { url: `http://127.0.0.1:${api.port}/items` },
    })
    expect(result).toMatchObject({ status: 'failed', error: { kind: 'task_error' } })
    expect(lines(result)).toEqual([
      `http request to http://127.0.0.1:${api.port} refused: task ${sealed.ref} has no http capability`,
    ])
  })

  test('a server that never answers ends at the step timeout, and the next attempt runs', async () => {
    const slow = await executableTask(cache, bytes, 'run', {
      timeoutMs: 800,
      capabilities: { http: { allow: [`http://127.0.0.1:${api.port}`] } },
    })
    const started = performance.now()
    const result = await pool.execute({
      task: slow,
      input: { url: `http://127.0.0.1:${api.port}/hang` },
    })
    const elapsed = performance.now() - started
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'timeout',
        message: 'the attempt did not finish within 800 ms and was stopped',
      },
    })
    expect(elapsed).toBeLessThan(2000)
    const next = await pool.execute({ task, input: { url: `http://127.0.0.1:${api.port}/items` } })
    expect(next).toMatchObject({ status: 'succeeded', output: { status: 200 } })
  })
})

describe('JavaScript tasks', () => {
  test('built without the http capability, fetch fails with an error naming it (not a trap)', async () => {
    const sealed = await executableTask(
      cache,
      fixture('js-sealed-fetch', 'sealed-fetch.wasm'),
      'run',
    )
    const url = `http://127.0.0.1:${api.port}/items`
    const result = await pool.execute({ task: sealed, input: { url } })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: `TypeError: fetch(${url}) is not available: task sealed-fetch has no http capability (declare capabilities.http.allow in task.json)`,
      },
      log: '',
    })
  })

  test('an Error the task does not catch is a task error with its message, not a trap', async () => {
    const sealed = await executableTask(
      cache,
      fixture('js-sealed-fetch', 'sealed-fetch.wasm'),
      'run',
    )
    const url = `http://127.0.0.1:${api.port}/items`
    const result = await pool.execute({ task: sealed, input: { url, uncaught: true } })
    expect(result).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: `fetch(${url}) is not available: task sealed-fetch has no http capability (declare capabilities.http.allow in task.json)`,
      },
    })
    const refused = await pool.execute({
      task,
      input: { url: `http://127.0.0.1:${elsewhere.port}/`, uncaught: true },
    })
    expect(refused).toMatchObject({
      status: 'failed',
      error: {
        kind: 'task_error',
        message: 'fetch_https: An error occurred while using the host API.\n',
      },
    })
  })

  test('running out of memory is limit_exceeded, and the next attempt runs', async () => {
    const result = await pool.execute({ task, input: { url: '', hog: true } })
    expect(result).toMatchObject({
      status: 'failed',
      error: { kind: 'limit_exceeded', message: 'the task reached its memory limit of 256 MiB' },
    })
    const next = await pool.execute({ task, input: { url: `http://127.0.0.1:${api.port}/items` } })
    expect(next).toMatchObject({ status: 'succeeded', output: { status: 200 } })
  })
})
