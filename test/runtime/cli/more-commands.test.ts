/** `weir flow show`, `weir events send` and `weir schedules create` against a real server. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { UsageError } from '../../../runtime/cli/usage-error.js'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { cliRunner } from '../../fixtures/cli-runner.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { untilStatus } from '../../fixtures/run-status.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-cli-more-'))
let server: WeirServer

beforeAll(async () => {
  server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), {
    logger: pino({ level: 'silent' }),
  })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow({
    name: 'signalled',
    description: 'waits for go, then counts',
    input: { type: 'object', properties: { n: { type: 'integer', minimum: 0, maximum: 10 } } },
    steps: [
      {
        id: 'wait',
        waitFor: 'go',
        schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
      },
      { id: 'count', task: 'inc', input: { n: 1 } },
    ],
  })
})

afterAll(async () => {
  await server.stop()
})

const weir = cliRunner(() => server.url, dataDir)

test('flow show prints a version and what each step does', async () => {
  const shown = await weir('flow', 'show', 'signalled')
  expect(shown.out.split('\n')).toEqual([
    'signalled@1 — waits for go, then counts',
    'process:      default',
    expect.stringMatching(/^published at: \d{4}-\d\d-\d\dT/),
    'steps:',
    '  wait: waits for event go',
    '  count: task inc@1',
  ])
  const json = JSON.parse((await weir('flow', 'show', 'signalled', '1', '--json')).out)
  expect([json.name, json.version]).toEqual(['signalled', 1])
})

test('events send delivers a payload to a waiting run; a bad payload is a usage error', async () => {
  const started = await server.context.engine.startRun('signalled', {})
  await untilStatus(server.context.store, started.run.id, 'waiting')
  const bad = await weir('events', 'send', started.run.id, 'go', '--data', '{n:').catch(
    (e: unknown) => e,
  )
  expect(bad).toBeInstanceOf(UsageError)
  expect((bad as Error).message).toBe("--data:1:2: not valid JSON: Expected property name or '}'")
  const file = join(dataDir, 'go.json')
  writeFileSync(file, '{"n": 3}')
  const sent = await weir('events', 'send', started.run.id, 'go', '--data', `@${file}`)
  expect(sent.out).toMatch(
    new RegExp(`^delivered go to run ${started.run.id}: (running|completed)$`),
  )
  const done = await server.context.engine.waitForRun(started.run.id, 5000)
  expect(done?.status).toBe('completed')
})

test('schedules create makes a schedule with its input and zone', async () => {
  const created = await weir(
    'schedules',
    'create',
    'signalled',
    '--cron',
    '0 9 * * 1',
    '--timezone',
    'Europe/Berlin',
    '--input',
    '{"n": 2}',
    '--paused',
  )
  expect(created.out).toMatch(/^created schedule \S+ \(paused\)$/)
  const [schedule] = (await server.context.store.listSchedules('signalled')).filter(
    (s) => s.source === 'api',
  )
  expect(schedule).toMatchObject({
    cron: '0 9 * * 1',
    timezone: 'Europe/Berlin',
    input: { n: 2 },
    paused: true,
  })
})
