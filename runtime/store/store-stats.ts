/**
 * What metrics read of the store: active runs counted by status at scrape
 * time (one grouped COUNT over the status index), and the size and duration
 * of each group commit of run changes, reported as they commit.
 */
import type { GroupCommitObserver } from './group-commit.js'

export type { GroupCommitObserver } from './group-commit.js'

/** The statuses of runs that have not finished. */
export type ActiveRunStatus = 'queued' | 'running' | 'waiting' | 'paused'

/** Active runs of every node by status, as the store counts them (0 where there are none). */
export type ActiveRunCounts = Readonly<Record<ActiveRunStatus, number>>

/** The store's part for metrics (`Store.stats`). */
export interface StoreStats {
  /** Counts the active runs in the store, whichever node owns them. */
  activeRunCounts(): Promise<ActiveRunCounts>
  /** Has every committed transaction of run changes reported to `observer` (undefined: to none). */
  observeGroupCommits(observer: GroupCommitObserver | undefined): void
}
