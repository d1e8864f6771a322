/**
 * The console's pages of what is published and scheduled: flows (versions,
 * document, graph, output type), tasks (versions, WIT signature, schemas,
 * capabilities), and schedules, paused and resumed by operators.
 */
import type { Context, Hono } from 'hono'
import { WeirError } from '../errors.js'
import { type ConsoleContext, type ConsoleEnv, operates, page } from './console-app.js'
import { auditConsole, done } from './console-audit.js'
import { flowGraph } from './console-graphs.js'
import { FlowPage, FlowsPage, TaskPage, TasksPage } from './pages/catalog-pages.js'
import { SchedulesPage } from './pages/schedules-page.js'

/** The version a page asks for (`?version=3`), or the latest. */
function versionOf(c: Context<ConsoleEnv>): number | undefined {
  const text = c.req.query('version')
  if (text === undefined || text === '') return undefined
  if (!/^[1-9]\d{0,8}$/.test(text))
    throw new WeirError('invalid_request', `"version" must be a version number, not "${text}"`)
  return Number(text)
}

/** Version numbers from the latest down, at most 50. */
const versionsDown = (latest: number): number[] =>
  Array.from({ length: Math.min(latest, 50) }, (_, i) => latest - i)

export function catalogRoutes(app: Hono<ConsoleEnv>, context: ConsoleContext): void {
  const { store, scheduler } = context.app

  app.get('/console/flows', async (c) =>
    page(c, 'Flows', <FlowsPage flows={await store.listFlows()} />),
  )

  app.get('/console/flows/:name', async (c) => {
    const name = c.req.param('name')
    const latest = await store.getFlow(name)
    const version = versionOf(c)
    const flow = version === undefined ? latest : await store.getFlow(name, version)
    if (!latest || !flow)
      throw new WeirError('not_found', `flow ${name}${version ? `@${version}` : ''} does not exist`)
    return page(
      c,
      `Flow ${flow.name}@${flow.version}`,
      <FlowPage
        flow={flow}
        versions={versionsDown(latest.version)}
        graph={flowGraph(context.graphs, flow)}
      />,
    )
  })

  app.get('/console/tasks', async (c) =>
    page(c, 'Tasks', <TasksPage tasks={await store.listTasks()} />),
  )

  app.get('/console/tasks/:name', async (c) => {
    const name = c.req.param('name')
    const latest = await store.getTask(name)
    const version = versionOf(c)
    const task = version === undefined ? latest : await store.getTask(name, version)
    if (!latest || !task)
      throw new WeirError('not_found', `task ${name}${version ? `@${version}` : ''} does not exist`)
    return page(
      c,
      `Task ${task.name}@${task.version}`,
      <TaskPage task={task} versions={versionsDown(latest.version)} />,
    )
  })

  app.get('/console/schedules', async (c) =>
    page(
      c,
      'Schedules',
      <SchedulesPage
        schedules={await store.listSchedules()}
        visitor={c.var.visitor}
        operates={operates(c.var.visitor)}
      />,
    ),
  )

  app.post('/console/schedules/:id/:switch{pause|resume}', async (c) => {
    const { visitor } = c.var
    const id = c.req.param('id')
    const audit = (outcome: { code: string; status: number }) =>
      auditConsole(c, context, 'schedule.update', `schedule:${id}`, outcome)
    if (!operates(visitor)) {
      await audit({ code: 'forbidden', status: 403 })
      throw new WeirError(
        'forbidden',
        `this needs the operator role; the key "${visitor.name}" has ${visitor.role}`,
      )
    }
    try {
      await scheduler.update(id, { paused: c.req.param('switch') === 'pause' })
    } catch (error) {
      if (error instanceof WeirError) await audit({ code: error.code, status: 409 })
      throw error
    }
    await audit(done)
    return c.redirect('/console/schedules', 303)
  })
}
