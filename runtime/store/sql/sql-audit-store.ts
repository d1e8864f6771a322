/**
 * The audit log over SQL, for libSQL and PostgreSQL alike (`Store.audit`):
 * entries appended close together are written in one transaction (group
 * commit, as run changes are), so that auditing every call costs a busy API
 * a fraction of a write per call, and an idle one a single insert.
 */
import type { AuditEntry, AuditFilter, AuditStore } from '../audit-store.js'
import { GroupCommitter } from '../group-commit.js'
import type { Page } from '../run-lists.js'
import type { StorageHealthView } from '../storage-health.js'
import * as audit from './audit-queries.js'
import { isStorageFault } from './commit-failures.js'
import type { SqlClient } from './sql-client.js'
import { probeStatements } from './storage-probe.js'

export class SqlAuditStore implements AuditStore {
  readonly #client: SqlClient
  readonly #committer: GroupCommitter<AuditEntry>

  /** `health`: storage's; `now`: the store's clock. */
  constructor(client: SqlClient, health: StorageHealthView, now: () => number) {
    this.#client = client
    this.#committer = new GroupCommitter<AuditEntry>(
      async (entries) => {
        const inserts = entries.map(audit.insertAuditStatement)
        // A committed write tells storage health that storage works again; after a fault an
        // entry is too small to tell (it may fit in a full disk's last page), so the probe's
        // write, which needs new pages, goes with it: both commit, or neither.
        const unavailable = health.status === 'unavailable'
        await client.write(unavailable ? [...inserts, ...probeStatements(now())] : inserts)
        return entries.map((): void => undefined)
      },
      // A group that failed for another reason than storage is written again entry by entry.
      { maxItems: 200, isolate: (error) => !isStorageFault(error) && !client.busy(error) },
    )
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.#committer.submit([entry])
  }

  list(filter: AuditFilter): Promise<Page<AuditEntry>> {
    return audit.listAudit(this.#client, filter)
  }

  deleteAuditBefore(at: number, limit: number): Promise<number> {
    return audit.deleteAuditBefore(this.#client, at, limit)
  }
}
