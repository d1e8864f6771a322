/**
 * What retention needs of the store (DESIGN §15): a housekeeping lease, so
 * that one node sweeps at a time, and deletions in bounded batches — finished
 * run trees with every row that belongs to their runs, refused starts — plus
 * giving freed space back to the file system where the database does not do
 * it by itself. The audit log is pruned through its own store part.
 */

export interface RetentionStore {
  /**
   * Takes the housekeeping lease `name` for `holder` for `leaseMs` from now
   * (the database's clock), or extends it when `holder` has it already;
   * false while another holder's lease runs.
   */
  holdLease(name: string, holder: string, leaseMs: number): Promise<boolean>
  /** Lets the lease go at once, if `holder` has it (a node that stops). */
  releaseLease(name: string, holder: string): Promise<void>
  /**
   * Deletes, in one transaction, up to `limit` runs of the run trees whose
   * root run (one without a parent) ended before `before` (epoch ms) and none
   * of whose runs is still active, with their step runs, attempts, events,
   * run requests and idempotency keys. A tree goes from its descendants up:
   * its root is deleted once none is left, so a tree cut short by a crash or
   * a stop is finished by the next sweep. Returns how many runs it deleted
   * (0: nothing is left to delete).
   */
  deleteFinishedRuns(before: number, limit: number): Promise<number>
  /** Deletes up to `limit` refused starts recorded before `before`, oldest first; returns how many. */
  deleteRefusedStarts(before: number, limit: number): Promise<number>
  /**
   * Gives up to `pages` free pages back to the file system (libSQL, whose
   * file otherwise keeps the space of deleted rows for reuse) and returns how
   * many free pages are left; PostgreSQL's autovacuum does this by itself (0).
   */
  reclaimSpace(pages: number): Promise<number>
}
