/**
 * Slow clients against a real listening server: a client that trickles its
 * headers, or its body, is answered 408 and cut off within about the
 * configured timeout, while /health goes on answering at once.
 */
import { mkdtempSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { slowClientOptions, WeirServer } from '../../../runtime/server/weir-server.js'

const headersTimeoutMs = 400
const requestTimeoutMs = 800
const errors: Record<string, unknown>[] = []
let server: WeirServer

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-slow-'))
  const logger = pino(
    { level: 'error' },
    { write: (line: string) => void errors.push(JSON.parse(line)) },
  )
  server = await WeirServer.start(
    resolveConfig({ dataDir, port: 0, workers: 1, headersTimeoutMs, requestTimeoutMs }, {}),
    { logger },
  )
})

afterAll(async () => {
  await server.stop()
})

interface Trickle {
  /** Milliseconds from the first byte until the server closed the connection. */
  readonly closedAfterMs: Promise<number>
  /** What the server wrote before closing. */
  received(): string
  /** Bytes the client had sent when it was cut off. */
  sent(): number
}

/** Sends `head` at once, then `drip` one byte every 50 ms, until the server closes the socket. */
function trickle(head: string, drip: string): Trickle {
  const url = new URL(server.url)
  const socket: Socket = connect(Number(url.port), url.hostname)
  let received = ''
  let sent = 0
  const startedAt = performance.now()
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    received += chunk
  })
  socket.on('error', () => {})
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= drip.length) return
    socket.write(drip[sent] ?? '')
    sent++
  }, 50)
  socket.write(head)
  const closedAfterMs = new Promise<number>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer)
      resolve(performance.now() - startedAt)
    })
  })
  return { closedAfterMs, received: () => received, sent: () => sent }
}

async function healthWithin(ms: number): Promise<void> {
  const startedAt = performance.now()
  const health = await fetch(`${server.url}/health`)
  expect(health.status).toBe(200)
  expect(performance.now() - startedAt).toBeLessThan(ms)
}

describe('a client that trickles', () => {
  test('its headers is answered 408 and cut off after the headers timeout', async () => {
    const slow = trickle('GET /health HTTP/1.1\r\n', `Host: weir\r\nX-Slow: ${'a'.repeat(500)}`)
    await new Promise((r) => setTimeout(r, 150))
    await healthWithin(200)
    const closedAfterMs = await slow.closedAfterMs
    expect(closedAfterMs).toBeGreaterThanOrEqual(headersTimeoutMs - 20)
    expect(closedAfterMs).toBeLessThan(headersTimeoutMs + 600)
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    expect(slow.sent()).toBeLessThan(40)
  })

  const body = JSON.stringify({ name: 'x'.repeat(200) })
  test.each([
    ['with a Content-Length', `Content-Length: ${body.length}`, body],
    [
      'in chunks',
      'Transfer-Encoding: chunked',
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
    ],
  ])(
    'its body (%s) is answered 408 and cut off after the request timeout, and logs no failure',
    async (_, framing, drip) => {
      const head =
        'POST /v1/flows/check HTTP/1.1\r\nHost: weir\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${server.newAdminKey}\r\n${framing}\r\n\r\n`
      const slow = trickle(head, drip)
      await new Promise((r) => setTimeout(r, 500))
      await healthWithin(200)
      const closedAfterMs = await slow.closedAfterMs
      expect(closedAfterMs).toBeGreaterThanOrEqual(requestTimeoutMs - 20)
      expect(closedAfterMs).toBeLessThan(requestTimeoutMs + 600)
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
      expect(slow.sent()).toBeLessThan(drip.length)
      await new Promise((r) => setTimeout(r, 50))
      expect(errors).toEqual([])
    },
  )

  test('a request sent at once is not cut off', async () => {
    const response = await fetch(`${server.url}/v1/flows/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.newAdminKey}` },
      body: JSON.stringify({ name: 'x', steps: [{ id: 'a', sleep: 'PT1S' }] }),
    })
    expect([response.status, ((await response.json()) as { ok: boolean }).ok]).toEqual([200, true])
  })

  test('a ?wait answered after the request timeout is not cut off: the timeout is for receiving', async () => {
    await server.context.catalog.publishFlow({ name: 'nap', steps: [{ id: 'a', sleep: 1200 }] })
    const startedAt = performance.now()
    const response = await fetch(`${server.url}/v1/flows/nap/runs?wait=5000`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.newAdminKey}` },
    })
    expect([response.status, ((await response.json()) as { status: string }).status]).toEqual([
      200,
      'completed',
    ])
    expect(performance.now() - startedAt).toBeGreaterThan(requestTimeoutMs + 300)
  })
})

test.each([
  [
    'the defaults',
    { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 },
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 },
  ],
  [
    'short timeouts',
    { headersTimeoutMs: 400, requestTimeoutMs: 800 },
    { headersTimeout: 400, requestTimeout: 800, connectionsCheckingInterval: 100 },
  ],
  [
    'a header timeout longer than the request timeout',
    { headersTimeoutMs: 5000, requestTimeoutMs: 2000 },
    { headersTimeout: 2000, requestTimeout: 2000, connectionsCheckingInterval: 500 },
  ],
  [
    'no request timeout',
    { headersTimeoutMs: 100, requestTimeoutMs: 0 },
    { headersTimeout: 100, requestTimeout: 0, connectionsCheckingInterval: 50 },
  ],
])("Node's server options for %s", (_, config, options) => {
  expect(slowClientOptions(config)).toEqual(options)
})
