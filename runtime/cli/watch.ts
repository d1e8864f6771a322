/**
 * `weir runs watch <id>`: a run's events as they happen, one line each, read
 * from the API's live stream (`GET /v1/runs/{id}/events?follow=1`). When the
 * connection drops it resumes after the last event it printed
 * (Last-Event-ID), so nothing is printed twice or missed. Exits 0 when the run
 * completed, 1 when it ended otherwise.
 */
import { type ApiClient, ApiError, type ProblemBody } from './client.js'
import { readEventStream } from './event-stream-reader.js'

interface RunEvent {
  readonly seq: number
  readonly type: string
  readonly at: string
  readonly stepId?: string
  readonly data: unknown
}

/** Reconnections in a row, without an event between them, before watch gives up. */
export const watchAttempts = 10

/** Answers worth connecting again after: the server or a proxy in front of it is busy or restarting. */
const transient = (error: unknown) =>
  !(error instanceof ApiError) || [502, 503, 504].includes(error.status)

/** An event as `weir runs events` shows a row: seq, time, type, step, data. */
export function eventLine(event: RunEvent): string {
  return [
    String(event.seq).padEnd(3),
    event.at,
    event.type.padEnd(20),
    event.stepId ?? '-',
    JSON.stringify(event.data),
  ].join('  ')
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * One connection: prints each event after `lastId`; answers the run's status
 * once the stream ends with it, or undefined when the stream broke off.
 */
async function watchOnce(
  client: ApiClient,
  id: string,
  state: { lastId: string | undefined; json: boolean },
  progressed: () => void,
): Promise<string | undefined> {
  const body = await client.stream(`/v1/runs/${encodeURIComponent(id)}/events`, {
    query: { follow: '1' },
    headers: state.lastId === undefined ? {} : { 'last-event-id': state.lastId },
  })
  for await (const message of readEventStream(body)) {
    if (message.event === 'end') return (JSON.parse(message.data) as { status: string }).status
    if (message.event === 'error') {
      // The server's problem, which ended the stream.
      const problem = JSON.parse(message.data) as ProblemBody
      throw new ApiError(problem.status ?? 500, problem)
    }
    if (message.event !== 'message') continue
    const event = JSON.parse(message.data) as RunEvent
    console.log(state.json ? JSON.stringify(event) : eventLine(event))
    state.lastId = message.id
    progressed()
  }
  return undefined
}

/**
 * Prints the run's events until its stream ends with the run's status,
 * connecting again (after the last event printed) when the connection drops
 * or the server is briefly unavailable; other API errors are thrown.
 */
export async function runsWatchCommand(
  client: ApiClient,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const state = { lastId: undefined as string | undefined, json: options.json === true }
  let failures = 0
  for (;;) {
    let status: string | undefined
    let failure: unknown
    try {
      status = await watchOnce(client, id, state, () => {
        failures = 0
      })
    } catch (error) {
      if (!transient(error)) throw error
      failure = error
    }
    if (status !== undefined) {
      if (!state.json) console.log(`run ${id} ${status}`)
      return status === 'completed' ? 0 : 1
    }
    failures++
    if (failures > watchAttempts) {
      const why = failure instanceof Error ? failure.message : 'the stream broke off'
      throw new Error(
        `the stream of run ${id} broke off and ${watchAttempts} reconnections in a row failed: ${why}`,
      )
    }
    // At once after a stream that broke off; then a second more each time.
    await sleep(Math.min((failures - 1) * 1000, 5000))
  }
}
