/**
 * The web console, served by the API's own server under `/console`: pages
 * rendered on the server (Hono's JSX, which escapes every value), a small
 * script that keeps pages live over server-sent events, sign-in with an API
 * key exchanged for a signed session cookie, and the run operations, event
 * forms and schedule switches the visitor's role allows — each form with a
 * CSRF token. A Content-Security-Policy allows the console's own script and
 * stylesheet only. Console pages are not part of /openapi.json.
 */
import { type Context, Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { WeirError } from '../errors.js'
import { roleAllows } from '../http/api-keys.js'
import { problemOf } from '../http/problem.js'
import type { AppContext } from '../http/route.js'
import { consoleCss, consoleScript } from './assets.js'
import { catalogRoutes } from './catalog-routes.js'
import { graphCache } from './console-graphs.js'
import { type FlowGraphCache, flowGraphCss } from './graph/index.js'
import { liveRoutes } from './live-routes.js'
import { Layout, type Visitor } from './pages/layout.js'
import { SignInPage } from './pages/sign-in-page.js'
import { runRoutes } from './run-routes.js'
import {
  csrfToken,
  csrfValid,
  issueSession,
  readSession,
  sessionCookie,
  sessionTtlMs,
} from './session.js'

export interface ConsoleOptions {
  /** Signs sessions (`sessionKeyFrom` weir's secret key: the same on every node). */
  readonly sessionKey: Uint8Array
  /** Marks the session cookie Secure (the console is reached over https). */
  readonly secureCookie?: boolean
  readonly now?: () => number
}

export type ConsoleEnv = {
  Variables: { visitor: Visitor; session: string }
}

/** What the console's routes are given. */
export interface ConsoleContext {
  readonly app: AppContext
  readonly options: ConsoleOptions
  readonly graphs: FlowGraphCache
}

const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
}

/**
 * A console page: the whole document, or only its <main> when the console's
 * script asks for it (`x-weir-fragment: main`) to refresh a page in place.
 */
export function page(
  c: Context<ConsoleEnv>,
  title: string,
  content: HtmlEscapedString | Promise<HtmlEscapedString>,
  options: { live?: string | undefined; status?: number } = {},
) {
  const status = (options.status ?? 200) as ContentfulStatusCode
  c.header('cache-control', 'no-store')
  if (c.req.header('x-weir-fragment') === 'main') return c.html(content, status)
  const visitor = c.var.visitor
  return c.html(
    `<!doctype html>${(
      (
        <Layout title={title} visitor={visitor} live={options.live}>
          {content}
        </Layout>
      )
    ).toString()}`,
    status,
  )
}

/** Whether the visitor may operate runs, deliver events and switch schedules (as the API's operator role). */
export const operates = (visitor: Visitor): boolean => roleAllows(visitor.role, 'operator')

/** Only console paths are followed after sign-in (never another site). */
const safeNext = (next: string | undefined): string =>
  next?.startsWith('/console') && !next.startsWith('//') ? next : '/console'

export function consoleApp(context: AppContext, options: ConsoleOptions): Hono<ConsoleEnv> {
  const now = options.now ?? Date.now
  const key = options.sessionKey
  const app = new Hono<ConsoleEnv>()
  const ctx: ConsoleContext = { app: context, options, graphs: graphCache() }

  app.get('/', (c) => c.redirect('/console'))
  app.use('/console/*', async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(securityHeaders)) c.header(name, value)
  })
  app.use('/console', async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(securityHeaders)) c.header(name, value)
  })
  app.get('/console/assets/console.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8')
    return c.body(consoleScript)
  })
  app.get('/console/assets/console.css', (c) => {
    c.header('content-type', 'text/css; charset=utf-8')
    return c.body(consoleCss + flowGraphCss)
  })

  app.get('/console/sign-in', (c) =>
    c.html(
      `<!doctype html>${(
        (
          <Layout title="Sign in" visitor={undefined}>
            <SignInPage next={safeNext(c.req.query('next'))} />
          </Layout>
        )
      ).toString()}`,
    ),
  )
  app.post('/console/sign-in', async (c) => {
    const form = await c.req.parseBody()
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined)
    const presented = typeof form.key === 'string' ? form.key.trim() : ''
    try {
      const record = await context.apiKeys.authenticate(`Bearer ${presented}`)
      setCookie(c, sessionCookie, issueSession(key, record.id, now()), {
        httpOnly: true,
        sameSite: 'Strict',
        secure: options.secureCookie === true,
        path: '/',
        maxAge: Math.floor(sessionTtlMs / 1000),
      })
      return c.redirect(next, 303)
    } catch (error) {
      if (!(error instanceof WeirError) || error.code !== 'unauthorized') throw error
      const problem = `That API key is not valid (${error.message}).`
      return c.html(
        `<!doctype html>${(
          (
            <Layout title="Sign in" visitor={undefined}>
              <SignInPage next={next} problem={problem} />
            </Layout>
          )
        ).toString()}`,
        401,
      )
    }
  })

  // Everything else needs a session whose key still exists; forms need its CSRF token.
  const signedIn = async (c: Context<ConsoleEnv>, next: () => Promise<void>) => {
    const cookie = getCookie(c, sessionCookie)
    const session = readSession(key, cookie, now())
    const record = session ? await context.apiKeys.byId(session.keyId) : undefined
    if (!session || !record || !cookie) {
      if (c.req.method === 'GET')
        return c.redirect(`/console/sign-in?next=${encodeURIComponent(c.req.path)}`, 303)
      return c.text('sign in first', 401)
    }
    c.set('session', cookie)
    c.set('visitor', {
      keyId: record.id,
      name: record.name,
      role: record.role,
      csrf: csrfToken(key, cookie),
    })
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody()
      const token = typeof form.csrf === 'string' ? form.csrf : undefined
      if (!csrfValid(key, cookie, token))
        return c.text('the form has no valid CSRF token: reload the page', 403)
    }
    return next()
  }
  app.use('/console', signedIn)
  app.use('/console/*', signedIn)

  app.post('/console/sign-out', (c) => {
    deleteCookie(c, sessionCookie, { path: '/' })
    return c.redirect('/console/sign-in', 303)
  })
  runRoutes(app, ctx)
  catalogRoutes(app, ctx)
  liveRoutes(app, ctx)
  app.onError((error, c) => {
    const weir = error instanceof WeirError ? error : undefined
    const { status } = problemOf(error)
    if (!weir) console.error(error)
    return page(
      c as Context<ConsoleEnv>,
      'Error',
      <p class="notice error">
        {weir ? weir.message : 'Something went wrong; the server log says what.'}
      </p>,
      { status },
    )
  })
  return app
}
