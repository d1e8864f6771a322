/**
 * A callback token through a real server: the server's debug log never holds
 * its secret, and `weir runs show` prints the callback URL for an admin key
 * but only that the step waits for a callback for a viewer key.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { cliRunner } from '../../fixtures/cli-runner.js'
import { engineTasksComponent, publishEngineTasks } from '../../fixtures/engine-tasks.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-credentials-'))
const lines: Record<string, unknown>[] = []
let server: WeirServer
let viewerKey: string

beforeAll(async () => {
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  )
  server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), { logger })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishTask(
    { name: 'ask', export: 'inc', mode: 'async', output: {} },
    await engineTasksComponent(),
  )
  await server.context.catalog.publishFlow({
    name: 'asking',
    steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }],
  })
  viewerKey = (await server.context.apiKeys.create('viewer key', 'viewer')).key
})

afterAll(async () => {
  await server.stop()
})

const admin = () => ({ authorization: `Bearer ${server.newAdminKey}` })

async function waitingRun(): Promise<RunResource> {
  const started = await fetch(`${server.url}/v1/flows/asking/runs`, {
    method: 'POST',
    headers: admin(),
  })
  const { id } = (await started.json()) as RunResource
  for (let i = 0; i < 500; i++) {
    const run = (await (
      await fetch(`${server.url}/v1/runs/${id}`, { headers: admin() })
    ).json()) as RunResource
    if (run.status === 'waiting') return run
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`run ${id} did not wait`)
}

async function tokenOf(id: string): Promise<string> {
  const steps = (await (
    await fetch(`${server.url}/v1/runs/${id}/steps`, { headers: admin() })
  ).json()) as { items: { callback: { token: string } }[] }
  return steps.items[0]?.callback.token ?? ''
}

const cli = cliRunner(() => server.url, dataDir)
const weir = async (...args: string[]) => (await cli(...args)).out

test('weir runs show prints the callback URL for an admin key, not for a viewer key', async () => {
  const run = await waitingRun()
  const token = await tokenOf(run.id)
  const asAdmin = await weir('runs', 'show', run.id)
  expect(asAdmin).toContain(
    `\nask waits for its callback: POST ${server.url}/v1/callbacks/${token}`,
  )
  const asViewer = await weir('--token', viewerKey, 'runs', 'show', run.id)
  expect(asViewer).toContain(
    '\nask waits for its callback (its URL is shown to admin and operator keys only)',
  )
  expect(asViewer).not.toContain(token.split('.')[2])
  const json = JSON.parse(await weir('--token', viewerKey, 'runs', 'show', run.id, '--json')) as {
    steps: { callback: unknown }[]
  }
  expect(json.steps.map((s) => s.callback)).toEqual([{ token: null, url: null }])
})

test("the server's debug log of a callback holds the run and step of its token, never the secret", async () => {
  const run = await waitingRun()
  const token = await tokenOf(run.id)
  const answered = await fetch(`${server.url}/v1/callbacks/${token}`, {
    method: 'POST',
    body: JSON.stringify({ status: 'succeeded', output: { ok: true } }),
  })
  expect(answered.status).toBe(200)
  const requests = lines.filter(
    (l) => l.msg === 'request' && String(l.path).startsWith('/v1/callbacks/'),
  )
  expect(requests.map((l) => [l.level, l.method, l.path, l.status])).toEqual([
    [20, 'POST', `/v1/callbacks/${run.id}.1.***`, 200],
  ])
  expect(JSON.stringify(lines)).not.toContain(token.split('.')[2])
})
