/**
 * The audit log as the store keeps it: one entry per mutating API call — who
 * made it (key id, name, role), what it did to what, how it ended, when and
 * on which node — appended before the call is answered, read newest first
 * with filters and keyset pages, and deleted in bounded batches once past its
 * retention window. Entries never hold a secret, a token or a request body.
 */
import type { JsonValue } from '../../types/index.js'
import type { Role } from './records.js'
import type { Page } from './run-lists.js'

/** A few safe facts about a call (a started run's id, a published version), never its body. */
export type AuditDetails = Readonly<Record<string, JsonValue>>

export interface AuditEntry {
  /** Time-ordered (ids.ts), so entries of one millisecond keep their order. */
  readonly id: string
  /** When the call was answered, epoch milliseconds. */
  readonly at: number
  /** The API key that made the call; undefined for callbacks (their token is the credential) and 401s. */
  readonly keyId: string | undefined
  /** The key's name when the call was made (a key renamed or deleted later keeps its entries). */
  readonly keyName: string | undefined
  readonly role: Role | undefined
  /** A stable name: `flow.publish`, `run.start`, `secret.set`, `callback.complete`… */
  readonly action: string
  /** What it acted on: `flow:checkout@3`, `run:<id>`, `secret:<name>`; undefined when the call did not say. */
  readonly target: string | undefined
  /** `ok`, or the error code the call was answered with (`forbidden`, `invalid_document`…). */
  readonly outcome: string
  /** The HTTP status of the answer. */
  readonly status: number
  /** The node that answered (the engine's node id). */
  readonly node: string
  readonly details: AuditDetails | undefined
}

/** Which entries to read: each filter matches exactly; `from` and `to` bound `at`, inclusive. */
export interface AuditFilter {
  readonly action?: string
  readonly keyId?: string
  readonly target?: string
  readonly outcome?: string
  readonly from?: number
  readonly to?: number
  /** Page size: 50 by default, at most 500. */
  readonly limit?: number
  /** Opaque cursor from a previous page. */
  readonly cursor?: string
}

/** The audit log: `Store.audit`. */
export interface AuditStore {
  /**
   * Appends an entry; resolves once it is durable. Entries appended close
   * together share a transaction (group commit), so a busy API pays for a
   * fraction of a write per call.
   */
  append(entry: AuditEntry): Promise<void>
  /** Entries newest first (by time, then id); pages stay stable while entries are added. */
  list(filter: AuditFilter): Promise<Page<AuditEntry>>
  /**
   * Deletes at most `limit` of the oldest entries older than `at` (epoch ms),
   * and answers how many it deleted: retention calls it until it answers
   * fewer than `limit`.
   */
  deleteAuditBefore(at: number, limit: number): Promise<number>
}
