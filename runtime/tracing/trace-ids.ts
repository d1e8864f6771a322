/**
 * W3C trace context for runs. A run keeps the `traceparent` it was started
 * under (stored with it); every other id of its trace is derived from the run
 * id, so that whichever node drives the run — after a restart, after a
 * takeover — emits its run, step and attempt spans into the same trace under
 * the same parents, with nothing more stored: the run's span id from the run
 * id, a step run's from the run id and its seq; a run started without a
 * traceparent gets a trace id derived from its id.
 */
import { createHash } from 'node:crypto'

export interface TraceContext {
  readonly traceId: string
  readonly spanId: string
}

const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/

/** The context a `traceparent` header names, if it is a valid one (all-zero ids are not). */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  const match = pattern.exec(header?.trim().toLowerCase() ?? '')
  if (!match) return undefined
  const [, traceId = '', spanId = ''] = match
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined
  return { traceId, spanId }
}

/** A `traceparent` header (sampled). */
export const formatTraceparent = (context: TraceContext): string =>
  `00-${context.traceId}-${context.spanId}-01`

const hex = (bytes: number, ...parts: (string | number)[]): string => {
  const id = createHash('sha256')
    .update(parts.join('/'))
    .digest('hex')
    .slice(0, bytes * 2)
  // An all-zero id is invalid: never derived in practice, but made impossible.
  return /^0+$/.test(id) ? `${id.slice(0, -1)}1` : id
}

/** The trace a run is in: its stored traceparent's, else one derived from its id. */
export const runTraceId = (runId: string, traceparent: string | undefined): string =>
  parseTraceparent(traceparent)?.traceId ?? hex(16, 'trace', runId)

/** The span id of a run's span. */
export const runSpanId = (runId: string): string => hex(8, 'run', runId)

/** The span id of a step run's span. */
export const stepSpanId = (runId: string, seq: number): string => hex(8, 'step', runId, seq)

/** The traceparent a child run is started under: its parent's step run. */
export const childTraceparent = (
  parentId: string,
  parentTraceparent: string | undefined,
  seq: number,
): string =>
  formatTraceparent({
    traceId: runTraceId(parentId, parentTraceparent),
    spanId: stepSpanId(parentId, seq),
  })
