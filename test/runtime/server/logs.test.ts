/** Structured logs: a line per run state change at info, a line per request at debug. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'

async function serverLogging(level: string) {
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-logs-'))
  const server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), {
    logger,
  })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow({
    name: 'one',
    steps: [{ id: 'a', task: 'trap', input: {} }],
  })
  const response = await fetch(`${server.url}/v1/flows/one/runs?wait=5000`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.newAdminKey}` },
  })
  const run = (await response.json()) as { id: string }
  await server.stop()
  return { lines, run }
}

test('info: the server starting and stopping, and each run state change with its error', async () => {
  const { lines, run } = await serverLogging('info')
  const runLines = lines.filter((l) => l.run === run.id)
  expect(runLines.map((l) => [l.level, l.msg, l.flow, l.version, l.status])).toEqual([
    [30, 'run running', 'one', 1, 'running'],
    [30, 'run failed', 'one', 1, 'failed'],
  ])
  expect(runLines[1]).toMatchObject({ step: 'a', kind: 'trap' })
  expect(lines.map((l) => l.msg)).toEqual(
    expect.arrayContaining(['weir is listening', 'weir is stopping', 'weir stopped']),
  )
  expect(lines.some((l) => l.msg === 'request')).toBe(false)
})

test('debug: also a line per request with method, path, status and milliseconds', async () => {
  const { lines } = await serverLogging('debug')
  const request = lines.find((l) => l.msg === 'request')
  expect(request).toMatchObject({
    level: 20,
    method: 'POST',
    path: '/v1/flows/one/runs',
    status: 200,
  })
  expect(typeof request?.ms).toBe('number')
})
