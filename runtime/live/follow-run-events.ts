/**
 * A run's events as they are written, read from the store (not from the
 * memory of the node that drives the run, so every node of a cluster can
 * serve them): polled until the run is finished and every event is out.
 */
import { type EventRecord, type RunRecord, terminalStatuses } from '../store/records.js'
import type { RunStore } from '../store/store.js'
import { pause } from './pause.js'

/** Milliseconds between two polls of a live stream, unless told otherwise. */
export const defaultPollMs = 250

export interface FollowEventsOptions {
  /** Yield the events after this sequence number (default 0: all of them). */
  readonly after?: number
  /** Milliseconds between two polls (default 250). */
  readonly pollMs?: number
  /** Stops the stream (the generator returns at its next step). */
  readonly signal?: AbortSignal
  /** Events read per query (default 500). */
  readonly pageSize?: number
}

/**
 * Each event of the run with a sequence number above `after`, in order. The
 * run's status is read before its events: once that status is terminal,
 * every event is already stored (a change writes both in one transaction),
 * so the events read next are the last. Returns the finished run, or
 * undefined when the signal stopped the stream or there is no such run.
 */
export async function* followRunEvents(
  store: Pick<RunStore, 'getRun' | 'listEvents'>,
  runId: string,
  options: FollowEventsOptions = {},
): AsyncGenerator<EventRecord, RunRecord | undefined> {
  const { pollMs = defaultPollMs, signal, pageSize = 500 } = options
  let after = options.after ?? 0
  while (!signal?.aborted) {
    const run = await store.getRun(runId)
    if (!run) return undefined
    for (;;) {
      const page = await store.listEvents(runId, after, pageSize)
      for (const event of page.items) {
        if (signal?.aborted) return undefined
        after = event.seq
        yield event
      }
      if (page.nextCursor === undefined) break
    }
    if (terminalStatuses.has(run.status)) return run
    await pause(pollMs, signal)
  }
  return undefined
}
