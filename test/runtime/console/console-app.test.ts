/**
 * The console through `app.request()` over a real engine and store: sign-in
 * and the session cookie (signed, HttpOnly, SameSite=Strict, good on another
 * node with the same key, not with another, ending with its API key or its
 * expiry), CSRF tokens on every form, roles as the API's, the security
 * headers, escaping, pages that stay fast for a 1 MiB output, and no console
 * path in /openapi.json.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { consoleApp } from '../../../runtime/console/console-app.js'
import { issueSession, sessionKeyFrom, sessionTtlMs } from '../../../runtime/console/session.js'
import type { AppContext } from '../../../runtime/http/route.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { type AppHarness, appHarness, testSecretKey } from '../../fixtures/app-harness.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { sharedPool } from '../../fixtures/shared-pool.js'

const workers = sharedPool()
const sessionKey = sessionKeyFrom(testSecretKey)
let h: AppHarness

beforeAll(async () => {
  h = await appHarness(workers.pool, workers.cache, { console: { sessionKey } })
  await h.catalog.publishFlow({
    name: 'waits',
    steps: [{ id: 'w', waitFor: 'go' }],
  })
  await h.catalog.publishFlow({
    name: 'big',
    input: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
    steps: [{ id: 'echo', set: '${input.text}' }],
  })
})

afterAll(async () => {
  await h.close()
})

/** Signs in with the key of `role`; the session cookie's value. */
async function signIn(role: keyof AppHarness['keys'] = 'admin'): Promise<string> {
  const response = await h.app.request('/console/sign-in', {
    method: 'POST',
    body: new URLSearchParams({ key: h.keys[role], next: '/console' }),
  })
  expect(response.status).toBe(303)
  const cookie = response.headers.get('set-cookie') ?? ''
  return /weir_session=([^;]+)/.exec(cookie)?.[1] ?? ''
}

const get = (path: string, session: string, headers: Record<string, string> = {}) =>
  h.app.request(path, { headers: { cookie: `weir_session=${session}`, ...headers } })

const post = (path: string, session: string, form: Record<string, string>) =>
  h.app.request(path, {
    method: 'POST',
    headers: { cookie: `weir_session=${session}` },
    body: new URLSearchParams(form),
  })

/** The CSRF token the page's forms carry. */
async function csrfOf(path: string, session: string): Promise<string> {
  const html = await (await get(path, session)).text()
  return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
}

describe('console sessions', () => {
  test('/ leads to the console; without a session, to sign-in', async () => {
    const root = await h.app.request('/')
    expect([root.status, root.headers.get('location')]).toEqual([302, '/console'])
    const page = await h.app.request('/console/runs')
    expect([page.status, page.headers.get('location')]).toEqual([
      303,
      '/console/sign-in?next=%2Fconsole%2Fruns',
    ])
  })

  test('sign-in sets a signed, HttpOnly, SameSite=Strict cookie that expires; a wrong key is 401', async () => {
    const response = await h.app.request('/console/sign-in', {
      method: 'POST',
      body: new URLSearchParams({ key: h.keys.viewer, next: 'https://elsewhere.example/' }),
    })
    expect(response.status).toBe(303)
    // Only console paths are followed after sign-in.
    expect(response.headers.get('location')).toBe('/console')
    const cookie = response.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(
      /^weir_session=[0-9a-f]{16}\.\d+\.[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    )
    const wrong = await h.app.request('/console/sign-in', {
      method: 'POST',
      body: new URLSearchParams({ key: 'weir_0123456789abcdef_nononononononononononononononono' }),
    })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).toContain('That API key is not valid (the API key is not valid).')
  })

  test('a session is good on another node with the same key, not with another; it ends with its key and its expiry', async () => {
    const session = await signIn('operator')
    expect((await get('/console', session)).status).toBe(200)
    const context = await contextOf(h)
    const sameKey = consoleApp(context, { sessionKey })
    expect(
      (await sameKey.request('/console', { headers: { cookie: `weir_session=${session}` } }))
        .status,
    ).toBe(200)
    const otherKey = consoleApp(context, { sessionKey: new Uint8Array(32).fill(9) })
    expect(
      (await otherKey.request('/console', { headers: { cookie: `weir_session=${session}` } }))
        .status,
    ).toBe(303)
    const keyId = session.split('.')[0] ?? ''
    const expired = issueSession(sessionKey, keyId, Date.now() - sessionTtlMs - 1)
    expect((await get('/console', expired)).status).toBe(303)
    const { key, record } = await h.apiKeys.create('short-lived', 'viewer')
    const signed = await h.app.request('/console/sign-in', {
      method: 'POST',
      body: new URLSearchParams({ key }),
    })
    const short = /weir_session=([^;]+)/.exec(signed.headers.get('set-cookie') ?? '')?.[1] ?? ''
    expect((await get('/console', short)).status).toBe(200)
    await h.apiKeys.delete(record.id)
    expect((await get('/console', short)).status).toBe(303)
  })

  test('sign-out clears the cookie; it needs the CSRF token too', async () => {
    const session = await signIn()
    expect((await post('/console/sign-out', session, {})).status).toBe(403)
    const csrf = await csrfOf('/console', session)
    const out = await post('/console/sign-out', session, { csrf })
    expect([out.status, out.headers.get('location')]).toEqual([303, '/console/sign-in'])
    expect(out.headers.get('set-cookie')).toMatch(/^weir_session=; Max-Age=0; Path=\//)
  })

  test('every page has the security headers; console paths are not in /openapi.json', async () => {
    const session = await signIn()
    const response = await get('/console', session)
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    )
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await response.text()
    expect(html).not.toMatch(/<script>/)
    expect(html).toContain('<script src="/console/assets/console.js" defer="">')
    const openapi = (await (await h.call('GET', '/openapi.json')).json()) as { paths: object }
    const paths = Object.keys(openapi.paths)
    expect(paths.filter((p) => p === '/' || p.startsWith('/console'))).toEqual([])
    expect(paths).toContain('/v1/runs')
  })
})

describe('console forms and roles', () => {
  test('a form without its CSRF token, or with another session’s, is refused', async () => {
    const session = await signIn()
    const { run } = await h.engine.startRun('waits', {})
    await untilStatus(h.store, run.id, 'waiting')
    const none = await post(`/console/runs/${run.id}/cancel`, session, {})
    expect([none.status, await none.text()]).toEqual([
      403,
      'the form has no valid CSRF token: reload the page',
    ])
    const other = await signIn('operator')
    const foreign = await csrfOf('/console', other)
    expect((await post(`/console/runs/${run.id}/cancel`, session, { csrf: foreign })).status).toBe(
      403,
    )
    expect((await h.store.getRun(run.id))?.status).toBe('waiting')
    const csrf = await csrfOf(`/console/runs/${run.id}`, session)
    const cancelled = await post(`/console/runs/${run.id}/cancel`, session, { csrf })
    expect([cancelled.status, cancelled.headers.get('location')]).toEqual([
      303,
      `/console/runs/${run.id}?done=cancel`,
    ])
    expect((await untilStatus(h.store, run.id, 'cancelled')).status).toBe('cancelled')
    // Audited as the API's operations are, with the key behind the session.
    const [entry] = (await h.store.audit.list({ action: 'run.cancel', target: `run:${run.id}` }))
      .items
    expect(entry).toMatchObject({
      keyName: 'admin key',
      role: 'admin',
      outcome: 'ok',
      status: 303,
      details: { via: 'console' },
    })
  })

  test('a viewer has no controls, and its posts are refused as the API refuses them', async () => {
    const session = await signIn('viewer')
    const { run } = await h.engine.startRun('waits', {})
    await untilStatus(h.store, run.id, 'waiting')
    const html = await (await get(`/console/runs/${run.id}`, session)).text()
    expect(html).not.toContain('class="ops"')
    expect(html).not.toContain('class="event"')
    const csrf = await csrfOf(`/console/runs/${run.id}`, session)
    const refused = await post(`/console/runs/${run.id}/cancel`, session, { csrf })
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain(
      'this needs the operator role; the key &quot;viewer key&quot; has viewer',
    )
    const [entry] = (await h.store.audit.list({ action: 'run.cancel', target: `run:${run.id}` }))
      .items
    expect([entry?.keyName, entry?.outcome, entry?.status]).toEqual([
      'viewer key',
      'forbidden',
      403,
    ])
    await h.engine.cancel(run.id)
  })

  test('an event form’s payload is checked as the API checks it', async () => {
    const session = await signIn('operator')
    const { run } = await h.engine.startRun('waits', {})
    await untilStatus(h.store, run.id, 'waiting')
    const csrf = await csrfOf(`/console/runs/${run.id}`, session)
    const bad = await post(`/console/runs/${run.id}/events/go`, session, {
      csrf,
      payload: '{"a": ',
    })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('the payload is not JSON')
    const wrong = await post(`/console/runs/${run.id}/events/stop`, session, { csrf, payload: '1' })
    expect(wrong.status).toBe(409)
    const good = await post(`/console/runs/${run.id}/events/go`, session, {
      csrf,
      payload: '{"a": 1}',
    })
    expect(good.status).toBe(303)
    expect((await untilStatus(h.store, run.id, 'completed')).output).toEqual({ a: 1 })
  })
})

describe('console pages', () => {
  test('values are escaped, and a 1 MiB output is cut with "show all", fast', async () => {
    const session = await signIn()
    const text = `<script>alert(1)</script>${'x'.repeat(2 ** 20 - 100)}`
    const { run } = await h.engine.startRun('big', { text })
    await untilStatus(h.store, run.id, 'completed')
    const started = performance.now()
    const response = await get(`/console/runs/${run.id}`, session)
    const html = await response.text()
    expect(performance.now() - started).toBeLessThan(1000)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain(`<a href="/console/runs/${run.id}/output">show all</a>`)
    expect(html.length).toBeLessThan(100_000)
    const whole = await get(`/console/runs/${run.id}/output`, session)
    expect((await whole.text()).length).toBeGreaterThan(2 ** 20)
  })

  test('a run of 10,000 step runs renders in under a second, 100 step runs a page', async () => {
    await h.catalog.publishFlow({
      name: 'loop',
      limits: { maxStepRuns: 10_001 },
      steps: [
        {
          id: 'count',
          set: '${has(steps.count.output) ? steps.count.output + 1 : 0}',
          next: [{ if: 'steps.count.output < 9999', goto: 'count' }],
        },
      ],
    })
    const { run } = await h.engine.startRun('loop', {})
    expect((await untilStatus(h.store, run.id, 'completed', 60_000)).output).toBe(9999)
    const session = await signIn()
    for (const path of [`/console/runs/${run.id}`, `/console/runs/${run.id}?steps=9900`]) {
      const started = performance.now()
      const response = await get(path, session)
      const html = await response.text()
      expect(performance.now() - started).toBeLessThan(1000)
      expect(response.status).toBe(200)
      expect(html.match(/<details id="step-/g)?.length).toBe(100)
    }
    const first = await (await get(`/console/runs/${run.id}`, session)).text()
    expect(first).toContain(`<a href="/console/runs/${run.id}?steps=100">More step runs</a>`)
    expect(first).toContain(`<a href="/console/runs/${run.id}?events=200">More events</a>`)
  }, 60_000)

  test('the fragment a live page asks for is its <main> alone', async () => {
    const session = await signIn()
    const response = await get('/console', session, { 'x-weir-fragment': 'main' })
    const html = await response.text()
    expect(html.startsWith('<h1>Runs</h1>')).toBe(true)
    expect(html).not.toContain('<html')
  })
})

/** What another node's console would be built over: the same store, engine and keys. */
async function contextOf(harness: AppHarness): Promise<AppContext> {
  return {
    store: harness.store,
    catalog: harness.catalog,
    engine: harness.engine,
    apiKeys: harness.apiKeys,
    scheduler: harness.scheduler,
    secrets: await Secrets.open(harness.store, testSecretKey),
    version: '9.9.9',
  }
}
