/**
 * The live forms of the run routes (`?follow=1`): a run's events and the
 * changes of runs as server-sent events, each message's data the resource
 * the route's JSON form lists, its id where a client resumes from
 * (`Last-Event-ID`). The streams read the store (runtime/live), so every node
 * of a cluster serves them.
 */
import type { JsonValue } from '../../types/index.js'
import { WeirError } from '../errors.js'
import { decodeRunsCursor, followRunEvents, followRuns } from '../live/index.js'
import type { RunChangeFilter, RunStore } from '../store/store.js'
import { ParameterError } from './problem.js'
import { eventResource, runResource } from './resources.js'
import { type EventStreamProducer, type ParameterSpec, queryParam } from './route.js'

/** `?follow`: 1 or true answers a live stream instead of a page. */
export const followParam = queryParam(
  'follow',
  'with 1 or true, answer a live text/event-stream instead of a page',
  { enum: ['1', 'true', '0', 'false'] },
)

/** Where a live stream resumes: the id of the last message the client has (EventSource sends it). */
export const lastEventIdParam: ParameterSpec = {
  name: 'Last-Event-ID',
  in: 'header',
  description: 'with follow: resume after the message with this id',
  schema: { type: 'string' },
}

/** Whether the request asks for the live stream. */
export const following = (params: Readonly<Record<string, JsonValue | undefined>>) =>
  params.follow === '1' || params.follow === 'true'

/** Refuses the page parameters a live stream does not take. */
export function refusePaging(
  params: Readonly<Record<string, JsonValue | undefined>>,
  names: readonly string[],
): void {
  const items = names
    .filter((name) => params[name] !== undefined)
    .map((name) => ({
      parameter: name,
      message: 'is not taken with follow (a stream has no pages; it resumes with Last-Event-ID)',
    }))
  if (items.length > 0) throw new ParameterError(items)
}

/** The sequence number a run's event stream resumes after: Last-Event-ID's, else the cursor's, else 0. */
export function eventsAfter(params: Readonly<Record<string, JsonValue | undefined>>): number {
  const last = params['Last-Event-ID']
  if (last === undefined) return params.cursor === undefined ? 0 : Number(params.cursor)
  if (!/^[0-9]{1,10}$/.test(String(last)))
    throw new ParameterError([
      { parameter: 'Last-Event-ID', message: `"${last}" is not an event's sequence number` },
    ])
  return Number(last)
}

/** The cursor a stream of runs resumes after (Last-Event-ID), checked. */
export function runsSince(
  params: Readonly<Record<string, JsonValue | undefined>>,
): string | undefined {
  const last = params['Last-Event-ID']
  if (last === undefined) return undefined
  try {
    decodeRunsCursor(String(last))
  } catch (error) {
    if (!(error instanceof WeirError)) throw error
    throw new ParameterError([
      { parameter: 'Last-Event-ID', message: `"${last}" is not a cursor this API gave out` },
    ])
  }
  return String(last)
}

/**
 * A run's events after `after` as they are written (id: the seq; data: the
 * Event), then — once the run is finished and its last event is out — an
 * `end` message with the run's status; the server closes the stream after it.
 */
export function runEventsStream(
  store: Pick<RunStore, 'getRun' | 'listEvents'>,
  runId: string,
  after: number,
): EventStreamProducer {
  return async function* (signal) {
    const events = followRunEvents(store, runId, { after, signal })
    for (;;) {
      const next = await events.next()
      if (next.done) {
        if (next.value) yield { event: 'end', data: JSON.stringify({ status: next.value.status }) }
        return
      }
      yield { id: String(next.value.seq), data: JSON.stringify(eventResource(next.value)) }
    }
  }
}

/** Each change of a run matching the filter (id: the cursor; data: the Run), until the client goes. */
export function runsStream(
  store: Pick<RunStore, 'runsChangedSince'>,
  filter: RunChangeFilter,
  since: string | undefined,
): EventStreamProducer {
  return async function* (signal) {
    const options = since === undefined ? { signal } : { since, signal }
    for await (const { cursor, run } of followRuns(store, filter, options))
      yield { id: cursor, data: JSON.stringify(runResource(run)) }
  }
}
