/**
 * The retention sweeper (DESIGN §15): soon after start and then every
 * interval, on whichever node holds the `retention` housekeeping lease, it
 * deletes the finished run trees and refused starts older than the runs
 * window, then the audit entries older than the audit window, each in small
 * transactions with a pause after each (at least as long as the batch took),
 * so that the engine's group commits never wait long behind it. On libSQL it
 * then gives the freed pages back to the file system, a bounded step at a
 * time. A node that stops lets the lease go; one that dies keeps it until it
 * expires, and another node's next sweep takes it.
 */
import type { RetentionStore } from '../store/retention-store.js'

/** The audit log's deletion, as the audit store provides it (`Store.audit`). */
export interface AuditPruner {
  /** Deletes at most `limit` of the oldest entries older than `at`; answers how many went. */
  deleteAuditBefore(at: number, limit: number): Promise<number>
}

/** Where the sweeper reports: a sweep that deleted something, a sweep that failed. */
export interface RetentionLogger {
  info(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

export interface SweepTiming {
  /** The first sweep, after start (default 10 s). */
  readonly firstMs: number
  /** Between the end of a sweep and the next (default 60 s). */
  readonly intervalMs: number
  /** Runs (or refused starts, audit entries) deleted per transaction (default 100). */
  readonly batchSize: number
  /** The least pause after each batch (default 50 ms); a batch that took longer pauses as long as it took. */
  readonly pauseMs: number
  /** How long the lease lasts unrenewed (default 3 minutes); renewed at each sweep and every third of it while sweeping. */
  readonly leaseMs: number
  /** Free pages given back per step on libSQL (default 1024: 4 MiB of 4 KiB pages). */
  readonly vacuumPages: number
}

export const defaultSweepTiming: SweepTiming = {
  firstMs: 10_000,
  intervalMs: 60_000,
  batchSize: 100,
  pauseMs: 50,
  leaseMs: 180_000,
  vacuumPages: 1024,
}

export interface SweeperOptions {
  readonly retention: RetentionStore
  readonly audit?: AuditPruner | undefined
  /** This node's id: the lease's holder. */
  readonly node: string
  /** Run trees and refused starts are deleted this long after they end; undefined: kept. */
  readonly runsMs: number | undefined
  /** Audit entries are deleted this long after they are recorded; undefined: kept. */
  readonly auditMs: number | undefined
  /** The clock finished times are compared with (the engine's: epoch ms). */
  readonly now?: () => number
  readonly logger?: RetentionLogger | undefined
  readonly timing?: Partial<SweepTiming>
}

/** What one sweep deleted, and the free pages left in a libSQL file after it (0 on PostgreSQL). */
export interface SweepResult {
  readonly runs: number
  readonly refusedStarts: number
  readonly auditEntries: number
  readonly freePages: number
}

/** The housekeeping lease's name. */
export const retentionLease = 'retention'

export class RetentionSweeper {
  readonly #options: SweeperOptions
  readonly #timing: SweepTiming
  readonly #now: () => number
  #timer: NodeJS.Timeout | undefined
  #sweeping: Promise<SweepResult | undefined> | undefined
  #wake: (() => void) | undefined
  #stopped = false
  /** When this node last took or renewed the lease (performance.now(); undefined: not held). */
  #heldAt: number | undefined

  constructor(options: SweeperOptions) {
    this.#options = options
    this.#timing = { ...defaultSweepTiming, ...options.timing }
    this.#now = options.now ?? Date.now
  }

  /** Whether anything is ever deleted: a window for runs, or one for an audit log there is. */
  get enabled(): boolean {
    const { runsMs, auditMs, audit } = this.#options
    return runsMs !== undefined || (auditMs !== undefined && audit !== undefined)
  }

  /** Sweeps soon, then every interval (nothing when retention is off). */
  start(): void {
    if (this.enabled) this.#schedule(this.#timing.firstMs)
  }

  /**
   * One sweep now, if this node holds the lease (or takes it): undefined when
   * another node holds it, retention is off, or the sweeper stopped.
   */
  sweep(): Promise<SweepResult | undefined> {
    this.#sweeping ??= this.#sweep().finally(() => {
      this.#sweeping = undefined
    })
    return this.#sweeping
  }

  /** Stops after the batch under way (a transaction is never cut) and lets the lease go. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#wake?.()
    await this.#sweeping?.catch(() => undefined)
    if (this.#heldAt === undefined) return
    this.#heldAt = undefined
    await this.#options.retention
      .releaseLease(retentionLease, this.#options.node)
      .catch(() => undefined)
  }

  #schedule(ms: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      void this.sweep()
        .catch((error: unknown) =>
          this.#options.logger?.error({ err: error }, 'retention: a sweep failed; next one later'),
        )
        .finally(() => this.#schedule(this.#timing.intervalMs))
    }, ms)
    this.#timer.unref()
  }

  /** Takes or renews the lease; false when another node holds it. */
  async #hold(): Promise<boolean> {
    const at = performance.now()
    const held = await this.#options.retention.holdLease(
      retentionLease,
      this.#options.node,
      this.#timing.leaseMs,
    )
    this.#heldAt = held ? at : undefined
    return held
  }

  /** Renews the lease once a third of it went by; false when it was lost (stop sweeping). */
  async #keep(): Promise<boolean> {
    const age = performance.now() - (this.#heldAt ?? Number.NEGATIVE_INFINITY)
    if (age < this.#timing.leaseMs / 3) return true
    return this.#hold()
  }

  async #sweep(): Promise<SweepResult | undefined> {
    if (this.#stopped || !this.enabled || !(await this.#hold())) return undefined
    const { retention, audit, runsMs, auditMs } = this.#options
    const started = this.#now()
    let runs = 0
    let refusedStarts = 0
    let auditEntries = 0
    if (runsMs !== undefined) {
      const before = started - runsMs
      runs = await this.#batches((n) => retention.deleteFinishedRuns(before, n), 'empty')
      refusedStarts = await this.#batches((n) => retention.deleteRefusedStarts(before, n), 'short')
    }
    if (auditMs !== undefined && audit) {
      const before = started - auditMs
      auditEntries = await this.#batches((n) => audit.deleteAuditBefore(before, n), 'short')
    }
    const deleted = runs + refusedStarts + auditEntries
    const freePages = deleted > 0 ? await this.#reclaim() : 0
    if (deleted > 0)
      this.#options.logger?.info(
        { runs, refusedStarts, auditEntries, freePages, ms: this.#now() - started },
        `retention: deleted ${runs} runs, ${refusedStarts} refused starts and ${auditEntries} audit entries`,
      )
    return { runs, refusedStarts, auditEntries, freePages }
  }

  /**
   * Deletes batch after batch, pausing after each, until a batch deletes
   * nothing (`empty`) or less than a whole batch (`short`), the sweeper
   * stops, or the lease is lost; answers how many rows went.
   */
  async #batches(
    batch: (limit: number) => Promise<number>,
    until: 'empty' | 'short',
  ): Promise<number> {
    const size = this.#timing.batchSize
    let total = 0
    while (!this.#stopped && (await this.#keep())) {
      const started = performance.now()
      const deleted = await batch(size)
      total += deleted
      if (deleted === 0 || (until === 'short' && deleted < size)) break
      await this.#pause(Math.max(this.#timing.pauseMs, performance.now() - started))
    }
    return total
  }

  /** Gives free pages back step by step until none is left or a step frees nothing; answers how many are left. */
  async #reclaim(): Promise<number> {
    let left = Number.POSITIVE_INFINITY
    while (!this.#stopped) {
      const started = performance.now()
      const free = await this.#options.retention.reclaimSpace(this.#timing.vacuumPages)
      if (free === 0 || free >= left) return free
      left = free
      await this.#pause(Math.max(this.#timing.pauseMs, performance.now() - started))
    }
    return Number.isFinite(left) ? left : 0
  }

  /** Waits `ms`, or less when the sweeper stops. */
  #pause(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.#wake = done
    })
  }
}
