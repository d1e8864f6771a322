/**
 * The server's log lines: JSON when stderr is not a terminal, one readable
 * line each when it is; lines about a run name the run and its flow; a
 * callback token's secret never appears.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, test } from 'vitest'
import { serverLogger } from '../../../runtime/cli/server-logger.js'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { engineTasksComponent, publishEngineTasks } from '../../fixtures/engine-tasks.js'

function capture() {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString()
  })
  return { stream, text: () => text }
}

describe('the server log', () => {
  test('one readable line each on a terminal, JSON lines otherwise', async () => {
    const json = capture()
    serverLogger('info', false, json.stream).info({ run: 'R1', flow: 'f' }, 'run completed')
    const pretty = capture()
    serverLogger('info', true, pretty.stream).info({ run: 'R1', flow: 'f' }, 'run completed')
    await new Promise((r) => setTimeout(r, 50))
    expect(JSON.parse(json.text())).toMatchObject({
      level: 30,
      run: 'R1',
      flow: 'f',
      msg: 'run completed',
    })
    const line = pretty.text()
    expect(line.trimEnd().split('\n')).toHaveLength(1)
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: run completed {"run":"R1","flow":"f"}\n$/,
    )
  })

  test('lines about runs carry the run id and flow; no callback secret is logged', async () => {
    const out = capture()
    const logger = serverLogger('debug', false, out.stream)
    const dataDir = mkdtempSync(join(tmpdir(), 'weir-log-lines-'))
    const server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), {
      logger,
      graceMs: 100,
    })
    await publishEngineTasks(server.context.catalog)
    await server.context.catalog.publishTask(
      { name: 'ask', export: 'inc', mode: 'async' },
      await engineTasksComponent(),
    )
    await server.context.catalog.publishFlow({
      name: 'asking',
      steps: [{ id: 'a', task: 'ask', input: { n: 1 } }],
    })
    const headers = { authorization: `Bearer ${server.newAdminKey}` }
    const started = (await (
      await fetch(`${server.url}/v1/flows/asking/runs`, { method: 'POST', headers })
    ).json()) as { id: string }
    let token = ''
    for (let i = 0; i < 200 && !token; i++) {
      const steps = (await (
        await fetch(`${server.url}/v1/runs/${started.id}/steps`, { headers })
      ).json()) as {
        items: { callback?: { token: string } }[]
      }
      token = steps.items[0]?.callback?.token ?? ''
      if (!token) await new Promise((r) => setTimeout(r, 10))
    }
    expect(token).not.toBe('')
    const answer = await fetch(`${server.url}/v1/callbacks/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'succeeded', output: 2 }),
    })
    expect(answer.status).toBe(200)
    await server.stop()
    await new Promise((r) => setTimeout(r, 50))
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const secret = token.split('.').at(-1) ?? ''
    expect(out.text()).not.toContain(secret)
    const aboutRuns = lines.filter((l) => l.run !== undefined)
    expect(aboutRuns.length).toBeGreaterThanOrEqual(2)
    for (const line of aboutRuns) expect(line.flow).toBe('asking')
  })
})
