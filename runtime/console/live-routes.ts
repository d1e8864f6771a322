/**
 * The streams that keep console pages live, behind the console's session
 * (EventSource sends the cookie, not an API key): the changes of the runs
 * the list shows, and a run's events until it has finished (then `end`).
 * They are the API's streams (read from the store, so any node serves them),
 * holding slots of the same per-process bound.
 */
import type { Context, Hono } from 'hono'
import { eventStream } from '../http/event-stream.js'
import type { StreamMessage } from '../http/route.js'
import { followRunEvents, followRuns, processStreams } from '../live/index.js'
import type { RunStatus } from '../store/records.js'
import type { ConsoleContext, ConsoleEnv } from './console-app.js'

const heartbeatMs = 15_000

function stream(
  c: Context<ConsoleEnv>,
  produce: (signal: AbortSignal) => AsyncIterable<StreamMessage>,
) {
  const release = processStreams.take()
  return eventStream(c, produce, { heartbeatMs, release })
}

export function liveRoutes(app: Hono<ConsoleEnv>, context: ConsoleContext): void {
  const { store } = context.app

  app.get('/console/live/runs', (c) => {
    const q = (name: string) => c.req.query(name)?.trim() || undefined
    const time = (name: string) => {
      const text = q(name)
      const ms = text === undefined ? Number.NaN : Date.parse(text)
      return Number.isNaN(ms) ? undefined : ms
    }
    const filter = {
      ...(q('flow') ? { flow: q('flow') as string } : {}),
      ...(q('process') ? { process: q('process') as string } : {}),
      ...(q('status') ? { status: q('status') as RunStatus } : {}),
      ...(time('from') === undefined ? {} : { from: time('from') as number }),
      ...(time('to') === undefined ? {} : { to: time('to') as number }),
    }
    return stream(c, async function* (signal) {
      for await (const { cursor, run } of followRuns(store, filter, { signal })) {
        yield { id: cursor, data: JSON.stringify({ id: run.id, status: run.status }) }
      }
    })
  })

  app.get('/console/live/runs/:id', (c) => {
    const id = c.req.param('id')
    return stream(c, async function* (signal) {
      const events = followRunEvents(store, id, { signal })
      for (;;) {
        const next = await events.next()
        if (next.done) {
          if (next.value)
            yield { event: 'end', data: JSON.stringify({ status: next.value.status }) }
          return
        }
        yield { id: String(next.value.seq), data: JSON.stringify({ type: next.value.type }) }
      }
    })
  })
}
