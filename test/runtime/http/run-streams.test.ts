/**
 * The live run routes (`?follow=1`) through a real engine: a run's events as
 * server-sent events ending with `event: end`, changes of runs with their
 * cursors, resuming with Last-Event-ID, the bound on open streams (503), the
 * heartbeat, and the polling stopped when the client goes away.
 */
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readEventStream, type ServerSentEvent } from '../../../runtime/cli/event-stream-reader.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { createApp } from '../../../runtime/http/app.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { decodeRunsCursor } from '../../../runtime/live/runs-cursor.js'
import { StreamSlots } from '../../../runtime/live/stream-slots.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { type AppHarness, appHarness, testSecretKey } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness
const streams = new StreamSlots(2)

const doomed = { name: 'doomed', steps: [{ id: 'boom', task: 'trap', input: {} }] }
const signalled = { name: 'signalled', steps: [{ id: 'wait', waitFor: 'go' }] }

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await appHarness(pool, cache, { streams })
  for (const flow of [doomed, signalled]) await h.catalog.publishFlow(flow)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

interface Event {
  readonly seq: number
  readonly type: string
}

const start = async (flow: string, query = '') => {
  const response = await h.call('POST', `/v1/flows/${flow}/runs${query}`, {
    role: 'operator',
    json: flow === 'add-two' ? { n: 1 } : {},
  })
  return (await response.json()) as RunResource
}
const events = async (id: string) =>
  (
    (await (await h.call('GET', `/v1/runs/${id}/events`, { role: 'viewer' })).json()) as {
      items: Event[]
    }
  ).items
const follow = (path: string, headers: Record<string, string> = {}) =>
  h.call('GET', path, { role: 'viewer', headers })

async function until(id: string, status: string): Promise<void> {
  for (let i = 0; i < 500 && (await h.store.getRun(id))?.status !== status; i++)
    await new Promise((r) => setTimeout(r, 10))
}

/** The stream's message for each event, as the API writes it, and its end. */
const expectedText = (items: readonly Event[], status: string) =>
  `${items.map((e) => `data: ${JSON.stringify(e)}\nid: ${e.seq}\n\n`).join('')}event: end\ndata: {"status":"${status}"}\n\n`

describe('GET /v1/runs/{id}/events?follow=1', () => {
  test("a finished run's stream is its events, each with its seq as id, then `end`; the server closes it", async () => {
    const run = await start('add-two', '?wait=10000')
    const response = await follow(`/v1/runs/${run.id}/events?follow=1`)
    expect([response.status, response.headers.get('content-type')]).toEqual([
      200,
      'text/event-stream',
    ])
    expect(response.headers.get('cache-control')).toBe('no-cache')
    const items = await events(run.id)
    expect(items.map((e) => e.type)).toEqual([
      'run_started',
      'step_started',
      'step_succeeded',
      'step_started',
      'step_succeeded',
      'run_completed',
    ])
    expect(await response.text()).toBe(expectedText(items, 'completed'))
    const failed = await start('doomed', '?wait=10000')
    expect(await (await follow(`/v1/runs/${failed.id}/events?follow=true`)).text()).toBe(
      expectedText(await events(failed.id), 'failed'),
    )
  })

  test('events come as they are written, and the stream ends after the last', async () => {
    const run = await start('signalled')
    await until(run.id, 'waiting')
    const response = await follow(`/v1/runs/${run.id}/events?follow=1`)
    const messages = readEventStream(response.body as ReadableStream<Uint8Array>)
    const before = await events(run.id)
    const first: ServerSentEvent[] = []
    for (const _ of before) first.push((await messages.next()).value as ServerSentEvent)
    expect(first.map((m) => [m.id, JSON.parse(m.data)])).toEqual(
      before.map((e) => [String(e.seq), e]),
    )
    const sent = await h.call('POST', `/v1/runs/${run.id}/events/go`, {
      role: 'operator',
      json: { ok: true },
    })
    expect(sent.status).toBe(200)
    const rest: ServerSentEvent[] = []
    for await (const message of { [Symbol.asyncIterator]: () => messages }) rest.push(message)
    const after = (await events(run.id)).slice(before.length)
    expect(after.map((e) => e.type)).toEqual(['step_succeeded', 'run_completed'])
    expect(rest).toEqual([
      ...after.map((e) => ({ event: 'message', id: String(e.seq), data: JSON.stringify(e) })),
      { event: 'end', id: String(after.at(-1)?.seq), data: '{"status":"completed"}' },
    ])
  })

  test('Last-Event-ID (or the cursor) resumes after that event; paging parameters are refused', async () => {
    const run = await start('add-two', '?wait=10000')
    const items = await events(run.id)
    const resumed = await follow(`/v1/runs/${run.id}/events?follow=1`, { 'Last-Event-ID': '4' })
    expect(await resumed.text()).toBe(expectedText(items.slice(4), 'completed'))
    const fromCursor = await follow(`/v1/runs/${run.id}/events?follow=1&cursor=5`)
    expect(await fromCursor.text()).toBe(expectedText(items.slice(5), 'completed'))
    const bad = await follow(`/v1/runs/${run.id}/events?follow=1`, { 'Last-Event-ID': 'x' })
    expect([bad.status, await bad.json()]).toEqual([
      400,
      expect.objectContaining({
        detail: 'parameter "Last-Event-ID": "x" is not an event\'s sequence number',
      }),
    ])
    const paged = await follow(`/v1/runs/${run.id}/events?follow=1&limit=2`)
    expect([paged.status, ((await paged.json()) as { detail: string }).detail]).toEqual([
      400,
      'parameter "limit": is not taken with follow (a stream has no pages; it resumes with Last-Event-ID)',
    ])
  })

  test('without follow (or with follow=0) the answer is the page it always was; keys and roles as for it', async () => {
    const run = await start('add-two', '?wait=10000')
    const page = await (await h.call('GET', `/v1/runs/${run.id}/events`)).text()
    const unfollowed = await h.call('GET', `/v1/runs/${run.id}/events?follow=0`)
    expect(unfollowed.headers.get('content-type')).toBe('application/json')
    expect(await unfollowed.text()).toBe(page)
    const anonymous = await h.call('GET', `/v1/runs/${run.id}/events?follow=1`, { role: 'none' })
    expect(anonymous.status).toBe(401)
    const missing = await follow('/v1/runs/01M84CGZN8FNG0KHWJSTKZ1S7Z/events?follow=1')
    expect([missing.status, ((await missing.json()) as { detail: string }).detail]).toEqual([
      404,
      'run 01M84CGZN8FNG0KHWJSTKZ1S7Z does not exist',
    ])
    const odd = await follow(`/v1/runs/${run.id}/events?follow=yes`)
    expect(odd.status).toBe(400)
  })
})

describe('GET /v1/runs?follow=1', () => {
  test('each change of a matching run comes as the Run, with a cursor; Last-Event-ID resumes after it', async () => {
    const response = await follow('/v1/runs?follow=1&flow=add-two')
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const messages = readEventStream(response.body as ReadableStream<Uint8Array>)
    const run = await start('add-two')
    await until(run.id, 'completed')
    const seen: RunResource[] = []
    let last: ServerSentEvent | undefined
    while (seen.at(-1)?.status !== 'completed') {
      last = (await messages.next()).value as ServerSentEvent
      seen.push(JSON.parse(last.data) as RunResource)
    }
    expect(new Set(seen.map((r) => r.id))).toEqual(new Set([run.id]))
    const final = await (await h.call('GET', `/v1/runs/${run.id}`)).json()
    expect(seen.at(-1)).toEqual(final)
    expect(last?.id).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeRunsCursor(last?.id as string).id).toBe(run.id)
    await messages.return()

    const resumed = await follow('/v1/runs?follow=1&flow=add-two', {
      'Last-Event-ID': last?.id as string,
    })
    const again = readEventStream(resumed.body as ReadableStream<Uint8Array>)
    const next = await start('add-two')
    const first = JSON.parse(((await again.next()).value as ServerSentEvent).data) as RunResource
    expect(first.id).toBe(next.id)
    await again.return()
  })

  test('runs of other flows do not come; a bad cursor or a page parameter is a 400', async () => {
    const response = await follow('/v1/runs?follow=1&flow=doomed&status=failed')
    const messages = readEventStream(response.body as ReadableStream<Uint8Array>)
    await start('add-two', '?wait=10000')
    const failed = await start('doomed', '?wait=10000')
    const first = JSON.parse(((await messages.next()).value as ServerSentEvent).data) as RunResource
    expect([first.id, first.status]).toEqual([failed.id, 'failed'])
    await messages.return()
    const bad = await follow('/v1/runs?follow=1', { 'Last-Event-ID': 'nope' })
    expect([bad.status, ((await bad.json()) as { detail: string }).detail]).toEqual([
      400,
      'parameter "Last-Event-ID": "nope" is not a cursor this API gave out',
    ])
    const paged = await follow('/v1/runs?follow=1&limit=5&cursor=abc')
    expect(
      ((await paged.json()) as { errors: { parameter: string }[] }).errors.map((e) => e.parameter),
    ).toEqual(['limit', 'cursor'])
  })
})

describe('open streams', () => {
  test('past the bound a stream is refused with 503; a client going away frees its slot', async () => {
    // Streams of the tests before close as their readers go: wait for the last to.
    for (let i = 0; i < 200 && streams.open > 0; i++) await new Promise((r) => setTimeout(r, 5))
    const a = await start('signalled')
    const b = await start('signalled')
    const first = await follow(`/v1/runs/${a.id}/events?follow=1`)
    const second = await follow('/v1/runs?follow=1')
    expect(streams.open).toBe(2)
    const refused = await follow(`/v1/runs/${b.id}/events?follow=1`)
    expect([refused.status, refused.headers.get('retry-after'), await refused.json()]).toEqual([
      503,
      '1',
      {
        type: 'https://weir.dev/problems/unavailable',
        title: 'Unavailable',
        status: 503,
        detail: 'this server has 2 live streams open, its limit; try again later',
        code: 'unavailable',
      },
    ])
    await first.body?.cancel()
    for (let i = 0; i < 200 && streams.open > 1; i++) await new Promise((r) => setTimeout(r, 5))
    expect(streams.open).toBe(1)
    const third = await follow(`/v1/runs/${b.id}/events?follow=1`)
    expect(third.status).toBe(200)
    await second.body?.cancel()
    await third.body?.cancel()
    for (let i = 0; i < 200 && streams.open > 0; i++) await new Promise((r) => setTimeout(r, 5))
    expect(streams.open).toBe(0)
  })

  test('through a listening server, a client that disconnects stops its stream', async () => {
    for (let i = 0; i < 200 && streams.open > 0; i++) await new Promise((r) => setTimeout(r, 5))
    const run = await start('signalled')
    const listening = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 })
    await once(listening, 'listening')
    const { port } = listening.address() as AddressInfo
    try {
      const gone = new AbortController()
      const response = await fetch(`http://127.0.0.1:${port}/v1/runs/${run.id}/events?follow=1`, {
        headers: { authorization: `Bearer ${h.keys.viewer}` },
        signal: gone.signal,
      })
      const reader = (response.body as ReadableStream<Uint8Array>).getReader()
      expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^data: \{"seq":1,/)
      expect(streams.open).toBe(1)
      gone.abort()
      for (let i = 0; i < 200 && streams.open > 0; i++) await new Promise((r) => setTimeout(r, 5))
      expect(streams.open).toBe(0)
    } finally {
      ;(listening as Server).closeAllConnections()
      await new Promise((resolve) => listening.close(resolve))
    }
  })

  test('a quiet stream sends a heartbeat comment', async () => {
    const app = createApp(
      {
        store: h.store,
        catalog: h.catalog,
        engine: h.engine,
        apiKeys: h.apiKeys,
        scheduler: h.scheduler,
        secrets: await Secrets.open(h.store, testSecretKey),
        version: '9.9.9',
      },
      { streams: new StreamSlots(1), heartbeatMs: 20 },
    )
    const run = await start('signalled')
    const response = await app.request(`/v1/runs/${run.id}/events?follow=1`, {
      headers: { authorization: `Bearer ${h.keys.viewer}` },
    })
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes(': keep-alive\n\n'))
      text += new TextDecoder().decode((await reader.read()).value)
    await reader.cancel()
    expect(text).toMatch(/^data: \{"seq":1,"type":"run_started",[^\n]*\nid: 1\n\n/)
  })
})
