/** `GET /v1/nodes` on a real server: the node that answers first, with the runs it owns; a stopped node is gone. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'

test('GET /v1/nodes lists the live nodes; a second server on the same data directory is a node of its own', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-nodes-'))
  const config = resolveConfig({ dataDir, port: 0, workers: 1 }, {})
  const logger = pino({ level: 'silent' })
  const first = await WeirServer.start(config, { logger })
  const second = await WeirServer.start(config, { logger })
  const headers = { authorization: `Bearer ${first.newAdminKey}` }
  const list = async (server: WeirServer) =>
    (await (await fetch(`${server.url}/v1/nodes`, { headers })).json()) as {
      items: { id: string; pid: number; runs: number; self: boolean }[]
    }
  const seen = await list(first)
  expect(seen.items).toHaveLength(2)
  expect(seen.items[0]).toMatchObject({
    id: first.context.engine.node.id,
    pid: process.pid,
    runs: 0,
    self: true,
  })
  expect(seen.items[1]).toMatchObject({ id: second.context.engine.node.id, self: false })
  // The first keeps the data directory's id; the second, started while it lives, has one of its own.
  expect(first.context.engine.node.id).not.toBe(second.context.engine.node.id)
  await second.stop()
  expect((await list(first)).items.map((n) => n.id)).toEqual([first.context.engine.node.id])
  await first.stop()
})
