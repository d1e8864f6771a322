/**
 * The console's run pages and what they post: the runs list, a run (a page
 * of its step runs, of its history and of its children at a time), whole
 * values behind "show all", the run operations and event delivery (through
 * the engine, as the API does, so they reach a run on any node), each
 * answered by a redirect back to the run with what happened.
 */
import type { Context, Hono } from 'hono'
import type { JsonValue, ValueSchema } from '../../types/index.js'
import { WeirError } from '../errors.js'
import { type RunRecord, type RunStatus, runStatuses } from '../store/records.js'
import { type ConsoleContext, type ConsoleEnv, operates, page } from './console-app.js'
import { auditConsole, done } from './console-audit.js'
import { runGraph } from './console-graphs.js'
import { payloadOf } from './pages/event-form.js'
import { type Operation, RunPage, WholeValue } from './pages/run-page.js'
import { filterQuery, type RunsFilter, RunsPage } from './pages/runs-page.js'

const stepsPerPage = 100
const eventsPerPage = 200
const childrenShown = 50

const operationsDone: Record<Operation, string> = {
  cancel: 'Cancel requested: the run stops after its current step.',
  terminate: 'Terminated.',
  pause: 'Pause requested: the run halts before its next step.',
  resume: 'Resumed.',
  retry: 'Retried from its failed step.',
}

const isOperation = (name: string): name is Operation => name in operationsDone

function filterOf(c: Context<ConsoleEnv>): RunsFilter {
  const q = (name: string) => c.req.query(name)?.trim() || undefined
  return {
    flow: q('flow'),
    process: q('process'),
    status: q('status'),
    from: q('from'),
    to: q('to'),
  }
}

/** An ISO 8601 time of the filter as epoch ms; a clear error when it is not one. */
function instant(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined
  const ms = Date.parse(text)
  if (Number.isNaN(ms))
    throw new WeirError('invalid_request', `"${name}" must be an ISO 8601 time, not "${text}"`)
  return ms
}

async function existing(context: ConsoleContext, id: string): Promise<RunRecord> {
  const run = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id) ? await context.app.store.getRun(id) : undefined
  if (!run) throw new WeirError('not_found', `run ${id} does not exist`)
  return run
}

/** The event the run's current step waits for, and the schema of its payload. */
async function waitsFor(context: ConsoleContext, run: RunRecord) {
  if (run.waiting?.kind !== 'event') return undefined
  const loaded = await context.app.catalog.loadRunFlow(run)
  const step = loaded.compiled.document.steps.find((s) => s.id === run.currentStep)
  const schema = step && 'waitFor' in step ? (step.schema as ValueSchema | undefined) : undefined
  return { event: run.waiting.name, schema }
}

async function runPage(
  c: Context<ConsoleEnv>,
  context: ConsoleContext,
  id: string,
  notice?: { kind: 'ok' | 'error'; text: string },
  status = 200,
) {
  const { store } = context.app
  const run = await existing(context, id)
  const stepsAfter = Number(c.req.query('steps') ?? 0) || 0
  const eventsAfter = Number(c.req.query('events') ?? 0) || 0
  const [steps, events, children, path] = await Promise.all([
    store.stepRunsPage(run.id, stepsAfter, stepsPerPage),
    store.listEvents(run.id, eventsAfter, eventsPerPage),
    store.listRuns({ parent: run.id, limit: childrenShown }),
    store.stepRunIndex(run.id),
  ])
  const visitor = c.var.visitor
  const done = c.req.query('done')
  const shown =
    notice ??
    (done && isOperation(done) ? { kind: 'ok' as const, text: operationsDone[done] } : undefined)
  const last = steps.items.at(-1)?.seq
  const live = run.finishedAt === undefined ? `/console/live/runs/${run.id}` : undefined
  return page(
    c,
    `Run ${run.id}`,
    <RunPage
      run={run}
      visitor={visitor}
      operates={operates(visitor)}
      graph={await runGraph(context.app, context.graphs, run, path)}
      steps={steps.items}
      stepsNext={steps.more && last !== undefined ? last : undefined}
      events={events.items}
      eventsNext={events.nextCursor === undefined ? undefined : Number(events.nextCursor)}
      children={children.items}
      moreChildren={children.nextCursor !== undefined}
      waitsFor={await waitsFor(context, run)}
      baseUrl={new URL(c.req.url).origin}
      notice={shown}
    />,
    { live, status },
  )
}

export function runRoutes(app: Hono<ConsoleEnv>, context: ConsoleContext): void {
  const { store, engine } = context.app

  app.get('/console', async (c) => {
    const filter = filterOf(c)
    if (filter.status && !(runStatuses as readonly string[]).includes(filter.status))
      throw new WeirError('invalid_request', `there is no run status "${filter.status}"`)
    const from = instant(filter.from, 'from')
    const to = instant(filter.to, 'to')
    const cursor = c.req.query('cursor')
    const runs = await store.listRuns({
      ...(filter.flow ? { flow: filter.flow } : {}),
      ...(filter.process ? { process: filter.process } : {}),
      ...(filter.status ? { status: filter.status as RunStatus } : {}),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(cursor ? { cursor } : {}),
      limit: 50,
    })
    // The first page is kept live: new runs appear, runs move on.
    const live = cursor ? undefined : `/console/live/runs?${filterQuery(filter)}`
    return page(
      c,
      'Runs',
      <RunsPage runs={runs.items} filter={filter} nextCursor={runs.nextCursor} />,
      { live },
    )
  })

  app.get('/console/runs/:id', (c) => runPage(c, context, c.req.param('id')))

  app.get('/console/runs/:id/:part{input|output}', async (c) => {
    const run = await existing(context, c.req.param('id'))
    const part = c.req.param('part') as 'input' | 'output'
    const value = (part === 'input' ? run.input : run.output) ?? null
    return page(
      c,
      `${part} of ${run.id}`,
      <WholeValue
        title={`The ${part} of run ${run.id}`}
        back={`/console/runs/${run.id}`}
        value={value}
      />,
    )
  })

  app.get('/console/runs/:id/steps/:seq/attempts/:n/:part{input|output|error|log}', async (c) => {
    const run = await existing(context, c.req.param('id'))
    const seq = Number(c.req.param('seq'))
    const attempt = (await store.stepRunsPage(run.id, seq - 1, 1)).items
      .find((s) => s.seq === seq)
      ?.attempts.find((a) => a.number === Number(c.req.param('n')))
    if (!attempt) throw new WeirError('not_found', `run ${run.id} has no such attempt`)
    const part = c.req.param('part') as 'input' | 'output' | 'error' | 'log'
    const value = part === 'log' ? attempt.log : ((attempt[part] ?? null) as unknown as JsonValue)
    return page(
      c,
      `${part} of ${run.id}`,
      <WholeValue
        title={`The ${part} of attempt ${attempt.number} of step run #${seq}`}
        back={`/console/runs/${run.id}`}
        value={value}
      />,
    )
  })

  app.post('/console/runs/:id/:operation{cancel|terminate|pause|resume|retry}', async (c) => {
    const id = c.req.param('id')
    const operation = c.req.param('operation') as Operation
    const audit = (outcome: { code: string; status: number }) =>
      auditConsole(c, context, `run.${operation}`, `run:${id}`, outcome)
    if (!operates(c.var.visitor)) {
      await audit({ code: 'forbidden', status: 403 })
      return forbidden(c, context, id)
    }
    await existing(context, id)
    try {
      await engine[operation](id)
    } catch (error) {
      if (!(error instanceof WeirError)) throw error
      await audit({ code: error.code, status: 409 })
      return runPage(c, context, id, { kind: 'error', text: error.message }, 409)
    }
    await audit(done)
    return c.redirect(`/console/runs/${id}?done=${operation}`, 303)
  })

  app.post('/console/runs/:id/events/:event', async (c) => {
    const id = c.req.param('id')
    const audit = (outcome: { code: string; status: number }) =>
      auditConsole(c, context, 'event.deliver', `run:${id}`, outcome)
    if (!operates(c.var.visitor)) {
      await audit({ code: 'forbidden', status: 403 })
      return forbidden(c, context, id)
    }
    const run = await existing(context, id)
    const wait = await waitsFor(context, run)
    const event = c.req.param('event')
    const form = (await c.req.parseBody()) as Record<string, string | undefined>
    const parsed = payloadOf(wait?.event === event ? wait.schema : undefined, form)
    if ('problem' in parsed) {
      await audit({ code: 'invalid_request', status: 422 })
      return runPage(c, context, id, { kind: 'error', text: parsed.problem }, 422)
    }
    try {
      await engine.deliverEvent(id, event, parsed.payload)
    } catch (error) {
      if (!(error instanceof WeirError)) throw error
      const details = error.problems.map((p) => `${p.pointer || '/'}: ${p.message}`).join('; ')
      const text = details ? `${error.message} (${details})` : error.message
      const status = error.code === 'conflict' ? 409 : 422
      await audit({ code: error.code, status })
      return runPage(c, context, id, { kind: 'error', text }, status)
    }
    await audit(done)
    return c.redirect(`/console/runs/${id}`, 303)
  })
}

function forbidden(c: Context<ConsoleEnv>, context: ConsoleContext, id: string) {
  const { visitor } = c.var
  const text = `this needs the operator role; the key "${visitor.name}" has ${visitor.role}`
  return runPage(c, context, id, { kind: 'error', text }, 403)
}
