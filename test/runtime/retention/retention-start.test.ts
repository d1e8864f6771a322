/**
 * Retention in a running server: the windows logged at info level when it
 * starts, and the sweeper stopped with it.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'

test('the server logs its retention windows at start', async () => {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  )
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-retention-'))
  const config = resolveConfig({ dataDir, port: 0, workers: 1 }, { WEIR_AUDIT_RETENTION: 'off' })
  const server = await WeirServer.start(config, { logger })
  await server.stop()
  const retention = lines.filter((l) => String(l.msg).includes('retention'))
  expect(retention.map((l) => [l.level, l.msg])).toEqual([
    [30, 'retention: finished runs are deleted 30 days after they end (WEIR_RETENTION=30d)'],
    [30, 'audit retention: off, audit entries are kept (WEIR_AUDIT_RETENTION=off)'],
  ])
  const messages = lines.map((l) => l.msg)
  expect(messages.indexOf(retention[0]?.msg)).toBeLessThan(messages.indexOf('weir is listening'))
})
