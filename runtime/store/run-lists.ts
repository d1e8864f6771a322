/**
 * What the API reads of runs in bulk: the filters of a run list and its
 * pages, and the changes a live stream of runs polls for (runs ordered by
 * when they last changed, then by id).
 */
import type { RunRecord, RunStatus } from './records.js'

export interface RunFilter {
  readonly flow?: string
  /** The child runs of this run. */
  readonly parent?: string
  readonly process?: string
  readonly status?: RunStatus
  /** createdAt bounds, epoch milliseconds, inclusive. */
  readonly from?: number
  readonly to?: number
  readonly limit?: number
  /** Opaque cursor from a previous page. */
  readonly cursor?: string
}

export interface Page<T> {
  readonly items: T[]
  readonly nextCursor: string | undefined
}

/** The filters of a stream of run changes: those of a run list, without its paging. */
export type RunChangeFilter = Omit<RunFilter, 'limit' | 'cursor'>

/**
 * A place in the order of run changes: a run's last change time
 * (`updated_at`, in the clock of the node that wrote it), then its id.
 */
export interface RunChangePosition {
  readonly updatedAt: number
  readonly id: string
}

/** A run as its last change left it: when that was, and its last event's sequence number. */
export interface ChangedRun {
  readonly run: RunRecord
  readonly updatedAt: number
  readonly eventSeq: number
}
