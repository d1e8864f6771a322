/**
 * The store's statistics over SQL (`Store.stats`), for libSQL and PostgreSQL
 * alike: active runs counted by status in one statement, and the observer of
 * the run changes' group commits.
 */
import type {
  ActiveRunCounts,
  ActiveRunStatus,
  GroupCommitObserver,
  StoreStats,
} from '../store-stats.js'
import { active } from './run-queries.js'
import type { SqlClient } from './sql-client.js'

/** The committer whose transactions are observed. */
interface CommitObserved {
  observer: GroupCommitObserver | undefined
}

const statuses: readonly ActiveRunStatus[] = ['queued', 'running', 'waiting', 'paused']

/** `Store.stats` over SQL: `committer` is the run changes' group committer. */
export class SqlStats implements StoreStats {
  readonly #client: SqlClient
  readonly #committer: CommitObserved

  constructor(client: SqlClient, committer: CommitObserved) {
    this.#client = client
    this.#committer = committer
  }

  async activeRunCounts(): Promise<ActiveRunCounts> {
    const result = await this.#client.execute(
      `SELECT status, COUNT(*) AS runs FROM runs WHERE ${active} GROUP BY status`,
    )
    const counts = new Map(result.rows.map((row) => [String(row.status), Number(row.runs)]))
    const entries = statuses.map((status) => [status, counts.get(status) ?? 0] as const)
    return Object.fromEntries(entries) as Record<ActiveRunStatus, number>
  }

  observeGroupCommits(observer: GroupCommitObserver | undefined): void {
    this.#committer.observer = observer
  }
}
