/**
 * Live streams read from the store: a run's events and the changes of runs
 * as they happen, polled so that every node sharing the database serves them,
 * and the per-process bound on how many are open. The HTTP API serves them
 * as server-sent events; the console reuses them behind its own sessions.
 * @module
 */
export { defaultPollMs, type FollowEventsOptions, followRunEvents } from './follow-run-events.js'
export { defaultSkewMs, type FollowRunsOptions, followRuns, type RunUpdate } from './follow-runs.js'
export { decodeRunsCursor, encodeRunsCursor } from './runs-cursor.js'
export { defaultMaxStreams, processStreams, StreamSlots } from './stream-slots.js'
