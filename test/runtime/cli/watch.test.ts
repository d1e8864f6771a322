/**
 * `weir runs watch` against a real server: each event once, as it happens,
 * the exit code by how the run ended, --json lines, and resuming with
 * Last-Event-ID through a proxy that cuts the first connection off.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ApiError } from '../../../runtime/cli/client.js'
import { resolveConfig } from '../../../runtime/config.js'
import { tokenFile } from '../../../runtime/server/admin-token.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { addTwo } from '../../fixtures/app-harness.js'
import { cliRunner } from '../../fixtures/cli-runner.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-watch-'))
let server: WeirServer

beforeAll(async () => {
  server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), {
    logger: pino({ level: 'silent' }),
  })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow(addTwo)
  await server.context.catalog.publishFlow({
    name: 'doomed',
    steps: [{ id: 'boom', task: 'trap', input: {} }],
  })
  await server.context.catalog.publishFlow({
    name: 'signalled',
    steps: [{ id: 'wait', waitFor: 'go' }],
  })
})

afterAll(async () => {
  await server.stop()
})

const weir = cliRunner(() => server.url, dataDir)

interface Event {
  readonly seq: number
  readonly type: string
  readonly at: string
  readonly stepId?: string
  readonly data: unknown
}

const started = async (flow: string, input: string, wait = true) => {
  const { out } = await weir('run', flow, '--input', input, ...(wait ? ['--wait'] : []), '--json')
  return (JSON.parse(out) as { id: string }).id
}
const historyOf = async (id: string) =>
  (JSON.parse((await weir('runs', 'events', id, '--json')).out) as { items: Event[] }).items

/** An event's line: seq, time, type, step, data, as the table of `runs events` has them. */
const line = (e: Event) =>
  `${String(e.seq).padEnd(3)}  ${e.at}  ${e.type.padEnd(20)}  ${e.stepId ?? '-'}  ${JSON.stringify(e.data)}`

test("a finished run's events, one line each, then its end; exit 0 when it completed", async () => {
  const id = await started('add-two', '{"n": 1}')
  const watched = await weir('runs', 'watch', id)
  const history = await historyOf(id)
  expect(watched).toEqual({
    out: [...history.map(line), `run ${id} completed`].join('\n'),
    code: 0,
  })
  expect(watched.out.split('\n')[0]).toMatch(
    /^1 {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z {2}run_started {11}- {2}\{.*\}$/,
  )
})

test('a run that ends otherwise than completed exits 1', async () => {
  const id = await started('doomed', '{}')
  const watched = await weir('runs', 'watch', id)
  expect(watched.code).toBe(1)
  expect(watched.out.split('\n').at(-1)).toBe(`run ${id} failed`)
})

test('a live run: events as they happen, with --json one JSON line each', async () => {
  const id = await started('signalled', '{}', false)
  for (let i = 0; i < 200 && (await server.context.store.getRun(id))?.status !== 'waiting'; i++)
    await new Promise((r) => setTimeout(r, 10))
  const watching = weir('runs', 'watch', id, '--json')
  await new Promise((r) => setTimeout(r, 300))
  // Not through the CLI runner: it captures console.log, which the watch is writing to.
  const sent = await fetch(`${server.url}/v1/runs/${id}/events/go`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${readFileSync(tokenFile(dataDir), 'utf8').trim()}`,
      'content-type': 'application/json',
    },
    body: '{"ok": true}',
  })
  expect(sent.status).toBe(200)
  const watched = await watching
  const history = await historyOf(id)
  expect(history.map((e) => e.type)).toEqual([
    'run_started',
    'step_started',
    'step_succeeded',
    'run_completed',
  ])
  expect(watched.code).toBe(0)
  expect(watched.out.split('\n').map((l) => JSON.parse(l))).toEqual(history)
})

test('a dropped connection is resumed after the last event printed (Last-Event-ID)', async () => {
  const id = await started('add-two', '{"n": 2}')
  const asked: (string | undefined)[] = []
  // Forwards to weir; the first answer is cut off after its second message.
  const proxy = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const last = req.headers['last-event-id'] as string | undefined
    asked.push(last)
    const upstream = await fetch(server.url + req.url, {
      headers: {
        authorization: String(req.headers.authorization),
        accept: String(req.headers.accept),
        ...(last === undefined ? {} : { 'last-event-id': last }),
      },
    })
    res.writeHead(upstream.status, { 'content-type': String(upstream.headers.get('content-type')) })
    const cut = asked.length === 1
    let text = ''
    const reader = (upstream.body as ReadableStream<Uint8Array>).getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
      const second = text.split('\n\n', 2).join('\n\n').length + 2
      if (cut && text.split('\n\n').length > 2) {
        res.write(text.slice(0, second))
        await reader.cancel()
        // Once the client has read the two messages, the connection breaks.
        setTimeout(() => res.socket?.destroy(), 200)
        return
      }
    }
    res.end(text)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const viaProxy = cliRunner(
    () => `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    dataDir,
  )
  try {
    const watched = await viaProxy('runs', 'watch', id)
    const history = await historyOf(id)
    expect(asked).toEqual([undefined, '2'])
    expect(watched).toEqual({
      out: [...history.map(line), `run ${id} completed`].join('\n'),
      code: 0,
    })
  } finally {
    proxy.closeAllConnections()
    await new Promise((resolve) => proxy.close(resolve))
  }
})

test('a run that does not exist is an API error (the entry point prints it and exits 1)', async () => {
  const error = await weir('runs', 'watch', '01M84CGZN8FNG0KHWJSTKZ1S7Z').catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ApiError)
  expect([(error as ApiError).status, (error as ApiError).message]).toEqual([
    404,
    'run 01M84CGZN8FNG0KHWJSTKZ1S7Z does not exist',
  ])
})
