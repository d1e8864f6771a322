/**
 * `weir audit` against a real server on an ephemeral port: its table (who,
 * what, on what, how it ended, where), its filters, the command for the next
 * page, its JSON, and a refusal for keys that are not admin keys.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { nextAuditPage } from '../../../runtime/cli/audit.js'
import { ApiError } from '../../../runtime/cli/client.js'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { addTwo } from '../../fixtures/app-harness.js'
import { cliRunner } from '../../fixtures/cli-runner.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-cli-audit-'))
let server: WeirServer

beforeAll(async () => {
  server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), {
    logger: pino({ level: 'silent' }),
  })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow(addTwo)
})

afterAll(async () => {
  await server.stop()
})

const weir = cliRunner(() => server.url, dataDir)

test('audit prints a table of calls, newest first, and the command for the next page', async () => {
  const first = JSON.parse((await weir('run', 'add-two', '--input', '{"n":1}', '--json')).out)
  const second = JSON.parse((await weir('run', 'add-two', '--input', '{"n":2}', '--json')).out)
  const created = await weir('keys', 'create', '--role', 'viewer', '--name', 'dashboards')
  const viewer = created.out.split('\n')[1] as string
  const adminId = (await server.context.store.listApiKeys())[0]?.id
  const node = server.context.engine.node.id

  const table = await weir('audit', '--action', 'run.start')
  expect(table.code).toBe(0)
  const lines = table.out.split('\n')
  expect(lines[0]).toMatch(/^AT +KEY +ROLE +ACTION +TARGET +OUTCOME +STATUS +NODE$/)
  const row = new RegExp(
    `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z +admin \\(${adminId}\\) +admin +run\\.start +flow:add-two@1 +ok +201 +${node}$`,
  )
  expect(lines.slice(1)).toEqual([expect.stringMatching(row), expect.stringMatching(row)])

  const paged = await weir('audit', '--action', 'run.start', '--limit', '1', '--json')
  const page = JSON.parse(paged.out) as {
    items: { details: unknown }[]
    nextCursor: string
  }
  expect(page.items.map((i) => i.details)).toEqual([{ run: second.id }])
  const hinted = await weir('audit', '--action', 'run.start', '--limit', '1')
  const more = hinted.out.split('\n').at(-1) as string
  expect(more).toBe(`more: ${nextAuditPage({ action: 'run.start', limit: '1' }, page.nextCursor)}`)
  expect(more).toMatch(/^more: weir audit --action run\.start --limit 1 --cursor \S+$/)
  const next = await weir(...more.slice('more: weir '.length).split(' '), '--json')
  expect(JSON.parse(next.out)).toMatchObject({
    items: [{ action: 'run.start', details: { run: first.id } }],
    nextCursor: null,
  })

  const refused = await weir('--token', viewer, 'audit').catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(ApiError)
  expect((refused as ApiError).status).toBe(403)
  // Reading the log is not a mutating call: the refused read is not in it.
  const forbidden = await weir('audit', '--outcome', 'forbidden', '--json')
  expect(JSON.parse(forbidden.out).items).toEqual([])
  const createdKey = await weir('audit', '--action', 'key.create', '--key', String(adminId))
  expect(createdKey.out.split('\n')[1]).toContain('key.create')
  expect(createdKey.out.split('\n')[1]).toMatch(/ key:[0-9a-f]{16} +ok +201 /)
})
