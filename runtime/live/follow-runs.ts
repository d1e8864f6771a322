/**
 * Runs as they are created and change, read from the store (so every node of a
 * cluster sharing the database serves them), with the filters of a run list.
 *
 * A change's time is the clock of the node that wrote it, and a transaction
 * that took its time first may commit last: a change can land a little
 * before the newest one seen. So each poll reads again a window of `skewMs`
 * before the cursor, and a change already yielded — the same run, change
 * time and last event — is not yielded twice.
 */
import type { RunRecord } from '../store/records.js'
import type { RunChangeFilter, RunChangePosition, RunStore } from '../store/store.js'
import { defaultPollMs } from './follow-run-events.js'
import { pause } from './pause.js'
import { decodeRunsCursor, encodeRunsCursor } from './runs-cursor.js'

/** How far before its cursor a stream of runs reads again, unless told otherwise. */
export const defaultSkewMs = 2000

export interface FollowRunsOptions {
  /**
   * The cursor of the last change the client has: the stream resumes after
   * it. Without one it starts now: with the changes after this moment.
   */
  readonly since?: string
  /** Milliseconds between two polls (default 250). */
  readonly pollMs?: number
  /** Stops the stream (the generator returns at its next step). */
  readonly signal?: AbortSignal
  /** How far before the cursor each poll reads again, for changes that landed late (default 2 s). */
  readonly skewMs?: number
  /** Runs read per query (default 500). */
  readonly pageSize?: number
  /** This node's clock, where a stream without `since` starts (default Date.now). */
  readonly now?: () => number
}

/** A run as a change left it, and the cursor to resume after it (a server-sent event's id). */
export interface RunUpdate {
  readonly cursor: string
  readonly run: RunRecord
}

const isAfter = (a: RunChangePosition, b: RunChangePosition) =>
  a.updatedAt > b.updatedAt || (a.updatedAt === b.updatedAt && a.id > b.id)

/**
 * Every change of a run matching the filter, oldest first, each with a
 * cursor that never moves back (a change that landed late carries the cursor
 * of the newest one yielded). On its first poll the stream takes the changes
 * at or before where it starts as known: the client saw those (resuming) or
 * asked for what comes next (starting). A `since` this API did not make is
 * `invalid_request` (use `decodeRunsCursor` to check it first).
 */
export async function* followRuns(
  store: Pick<RunStore, 'runsChangedSince'>,
  filter: RunChangeFilter,
  options: FollowRunsOptions = {},
): AsyncGenerator<RunUpdate, void> {
  const { pollMs = defaultPollMs, signal, skewMs = defaultSkewMs, pageSize = 500 } = options
  let position: RunChangePosition =
    options.since === undefined
      ? { updatedAt: (options.now ?? Date.now)(), id: '' }
      : decodeRunsCursor(options.since)
  /** The changes yielded (or known) that the window can still read again, by key, with their time. */
  const seen = new Map<string, number>()
  let firstPoll = true
  while (!signal?.aborted) {
    let from: RunChangePosition = { updatedAt: position.updatedAt - skewMs, id: '' }
    for (;;) {
      const changes = await store.runsChangedSince(filter, from, pageSize)
      if (signal?.aborted) return
      for (const change of changes) {
        const key = `${change.run.id}@${change.updatedAt}#${change.eventSeq}`
        if (seen.has(key)) continue
        seen.set(key, change.updatedAt)
        const at = { updatedAt: change.updatedAt, id: change.run.id }
        const later = isAfter(at, position)
        if (!later && firstPoll) continue
        if (later) position = at
        yield { cursor: encodeRunsCursor(position), run: change.run }
        if (signal?.aborted) return
      }
      const last = changes.at(-1)
      if (last === undefined || changes.length < pageSize) break
      from = { updatedAt: last.updatedAt, id: last.run.id }
    }
    firstPoll = false
    // Changes before the window are never read again: forget them.
    const floor = position.updatedAt - skewMs
    for (const [key, at] of seen) if (at < floor) seen.delete(key)
    await pause(pollMs, signal)
  }
}
