/**
 * The console in a real browser (Debian's Chromium driven by playwright-core)
 * against a real server: sign-in; the runs list following a new run to
 * completed without a reload; a run page with the graph and the path taken,
 * the output, a failed step's error and log; cancel from the page; a viewer
 * seeing no controls; the form of a step waiting for an event delivering it;
 * a task output holding `<script>` shown as text. Screenshots go to
 * `.screenshots/`.
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { loadTaskPackage } from '../../../runtime/components/task-package.js'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import type { JsonValue } from '../../../types/index.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { untilStatus } from '../../fixtures/run-status.js'

const screenshots = new URL('../../../.screenshots/', import.meta.url).pathname
const dataDir = mkdtempSync(join(tmpdir(), 'weir-console-'))
let server: WeirServer
let browser: Browser
let admin: string
let viewer: string

/** The flags a root process on a closed network needs (no sandbox, no calls home). */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  const config = resolveConfig({ dataDir, port: 0, workers: 1 }, {})
  server = await WeirServer.start(config, { logger: pino({ level: 'silent' }), graceMs: 200 })
  const { catalog, apiKeys } = server.context
  await publishEngineTasks(catalog)
  const echo = await loadTaskPackage(new URL('../../fixtures/js-console', import.meta.url).pathname)
  await catalog.publishTask(echo.document, echo.bytes)
  const flows = [
    {
      name: 'greeting',
      steps: [
        { id: 'pause', sleep: 1500 },
        { id: 'say', task: 'echo-text', input: { text: '${input.text}' } },
      ],
      output: '${steps.say.output}',
      input: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
    },
    {
      name: 'two-steps',
      input: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
      steps: [
        { id: 'count', task: 'inc', input: { n: 1 } },
        { id: 'say', task: 'echo-text', input: { text: '${input.text}' } },
      ],
      output: '${steps.say.output}',
    },
    {
      name: 'approval',
      steps: [
        {
          id: 'decide',
          waitFor: 'decision',
          schema: {
            type: 'object',
            required: ['approved'],
            properties: { approved: { type: 'boolean' }, note: { type: 'string' } },
          },
        },
      ],
      output: '${steps.decide.output}',
    },
  ]
  for (const flow of flows) await catalog.publishFlow(flow)
  admin = server.newAdminKey ?? ''
  viewer = (await apiKeys.create('watcher', 'viewer')).key
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function signedIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(`${server.url}/console`)
  await page.fill('input[name=key]', key)
  await page.click('button[type=submit]')
  await page.waitForURL(`${server.url}/console`)
  return { context, page }
}

const start = async (flow: string, input: JsonValue) => {
  const { run } = await server.context.engine.startRun(flow, input)
  return run.id
}

describe('the console in a browser', () => {
  test('signing in leads to the runs list; a wrong key is refused', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(`${server.url}/console/runs/01M8P2APD3THY34DJWEPT4H5XZ`)
    expect(new URL(page.url()).pathname).toBe('/console/sign-in')
    await page.fill('input[name=key]', 'weir_0000000000000000_wrongwrongwrongwrongwrongwrongwr')
    await page.click('button[type=submit]')
    expect(await page.textContent('.notice.error')).toContain('That API key is not valid')
    await page.fill('input[name=key]', admin)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/console\/runs\/01M8P2APD3THY34DJWEPT4H5XZ$/)
    expect(await page.textContent('main')).toContain(
      'run 01M8P2APD3THY34DJWEPT4H5XZ does not exist',
    )
    const [cookie] = await context.cookies()
    expect([cookie?.name, cookie?.httpOnly, cookie?.sameSite]).toEqual([
      'weir_session',
      true,
      'Strict',
    ])
    await context.close()
  })

  test('the runs list shows a new run moving to completed without a reload', async () => {
    const { context, page } = await signedIn(admin)
    let reloaded = false
    page.on('framenavigated', () => {
      reloaded = true
    })
    const id = await start('greeting', { text: 'hello' })
    const status = page.locator(`tr[data-run="${id}"] .status`)
    await status.waitFor({ timeout: 10_000 })
    await page.locator(`tr[data-run="${id}"] .status.completed`).waitFor({ timeout: 15_000 })
    expect(reloaded).toBe(false)
    await context.close()
  })

  test("a run page shows the graph with the path taken, the output, a failed step's error and log", async () => {
    const { context, page } = await signedIn(admin)
    const ok = await start('two-steps', { text: 'fine' })
    await untilStatus(server.context.store, ok, 'completed')
    await page.goto(`${server.url}/console/runs/${ok}`)
    expect(await page.locator('svg .node.visited').count()).toBeGreaterThanOrEqual(2)
    expect(await page.textContent('main')).toContain('"echo": "fine"')
    const failed = await start('two-steps', { text: 'please fail' })
    await untilStatus(server.context.store, failed, 'failed')
    await page.goto(`${server.url}/console/runs/${failed}`)
    expect(await page.locator('svg .node.failed').count()).toBe(1)
    const main = (await page.textContent('main')) ?? ''
    expect(main).toContain('step say (echo-text@1), task_error, attempt 1: cannot take please fail')
    expect(await page.locator('details[open]').textContent()).toContain('saw please fail')
    await page.screenshot({ path: join(screenshots, 'console-run.png'), fullPage: true })
    await context.close()
  })

  test('cancel from the run page', async () => {
    const { context, page } = await signedIn(admin)
    const id = await start('approval', {})
    await untilStatus(server.context.store, id, 'waiting')
    await page.goto(`${server.url}/console/runs/${id}`)
    await page.click('.ops button:has-text("Cancel")')
    await page.waitForURL(/done=cancel/)
    expect(await page.textContent('h1 .status')).toBe('cancelled')
    await context.close()
  })

  test('a viewer sees no operation and no event form', async () => {
    const { context, page } = await signedIn(viewer)
    const id = await start('approval', {})
    await untilStatus(server.context.store, id, 'waiting')
    await page.goto(`${server.url}/console/runs/${id}`)
    expect(await page.locator('.ops').count()).toBe(0)
    expect(await page.locator('form.event').count()).toBe(0)
    expect(await page.textContent('header .who')).toContain('watcher (viewer)')
    await context.close()
  })

  test("the form of a step waiting for an event delivers it; a task's <script> output is text", async () => {
    const { context, page } = await signedIn(admin)
    const id = await start('approval', {})
    await untilStatus(server.context.store, id, 'waiting')
    await page.goto(`${server.url}/console/runs/${id}`)
    await page.check('input[name="field.approved"]')
    await page.fill('input[name="field.note"]', 'looks right')
    await page.click('form.event button[type=submit]')
    const done = await untilStatus(server.context.store, id, 'completed')
    expect(done.output).toEqual({ approved: true, note: 'looks right' })

    const script = '<script>window.pwned = true</script>'
    const echoed = await start('two-steps', { text: script })
    await untilStatus(server.context.store, echoed, 'completed')
    await page.goto(`${server.url}/console/runs/${echoed}`)
    expect(await page.evaluate(() => (window as { pwned?: boolean }).pwned)).toBeUndefined()
    expect(await page.locator('pre', { hasText: script }).count()).toBeGreaterThan(0)
    // The runs list with what the tests ran, for the README.
    await page.goto(`${server.url}/console`)
    await page.screenshot({ path: join(screenshots, 'console-runs.png') })
    await context.close()
  })
})
