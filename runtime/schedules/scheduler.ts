/**
 * The scheduler: keeps one schedule per cron trigger of each flow's latest
 * version (plus those made through the API) and starts their runs. A tick
 * starts its run with the idempotency key `schedule:<id>:<tick>` before the
 * schedule moves past it, so a crash in between cannot lose the tick and two
 * processes on one database cannot start it twice. After downtime a schedule
 * fires once for the missed period and then continues from now.
 */
import type { JsonValue } from '../../types/index.js'
import type { Clock } from '../engine/clock.js'
import type { Engine, EngineLogger } from '../engine/engine.js'
import { WeirError } from '../errors.js'
import { sortableId } from '../ids.js'
import type { FlowRecord, ScheduleRecord } from '../store/records.js'
import type { CatalogStore, ScheduleStore } from '../store/store.js'
import { parseCron } from './cron.js'

export interface SchedulerOptions {
  readonly store: ScheduleStore & Pick<CatalogStore, 'listFlows'>
  readonly engine: Engine
  readonly clock: Clock
  readonly logger?: EngineLogger
  /** How often to look for schedules other processes changed (default 30 s). */
  readonly pollMs?: number
}

export interface NewSchedule {
  readonly flow: string
  readonly cron: string
  readonly timezone?: string | undefined
  readonly input?: JsonValue | undefined
  readonly paused?: boolean | undefined
}

export type SchedulePatch = Partial<Omit<NewSchedule, 'flow'>>

const dueBatch = 100
/** How soon a tick that could not fire (storage down, a bound reached) is tried again. */
const retryMs = 1000
/** Start refusals that pass: the tick stays due instead of being skipped. */
const retryable = new Set<string>(['unavailable', 'storage_unavailable'])

/** The schedule's next tick after `after`; a bad expression is a 422 pointing into the body. */
function nextFire(cron: string, timezone: string, after: number, at = ''): number | undefined {
  const parsed = parseCron(cron, timezone, at)
  if (!parsed.ok) {
    const first = parsed.problems[0]
    throw new WeirError('invalid_document', `${first?.pointer}: ${first?.message}`, parsed.problems)
  }
  return parsed.cron.next(after)
}

export class Scheduler {
  readonly #store: ScheduleStore & Pick<CatalogStore, 'listFlows'>
  readonly #engine: Engine
  readonly #clock: Clock
  readonly #logger: EngineLogger | undefined
  readonly #pollMs: number
  #cancelTimer: (() => void) | undefined
  #ticking: Promise<void> | undefined
  #stopped = false

  constructor(options: SchedulerOptions) {
    this.#store = options.store
    this.#engine = options.engine
    this.#clock = options.clock
    this.#logger = options.logger
    this.#pollMs = options.pollMs ?? 30_000
  }

  /** Brings every flow's trigger schedules up to date, fires what is due, and keeps firing. */
  async start(): Promise<void> {
    for (const flow of await this.#store.listFlows()) await this.syncFlow(flow)
    await this.tick()
  }

  stop(): void {
    this.#stopped = true
    this.#cancelTimer?.()
  }

  /** Makes the flow's trigger schedules those of this (latest) version; a schedule left as it was keeps its state. */
  async syncFlow(flow: FlowRecord): Promise<void> {
    const now = this.#clock.now()
    const existing = (await this.#store.listSchedules(flow.name)).filter((s) => s.source === 'flow')
    const wanted = new Set<string>()
    for (const [index, trigger] of (flow.document.triggers ?? []).entries()) {
      if (!('cron' in trigger)) continue
      const id = `flow:${flow.name}:${index}`
      wanted.add(id)
      const timezone = trigger.timezone ?? 'UTC'
      const input = (trigger.input ?? null) as JsonValue
      const old = existing.find((s) => s.id === id)
      const same =
        old &&
        old.cron === trigger.cron &&
        old.timezone === timezone &&
        JSON.stringify(old.input) === JSON.stringify(input)
      if (same) continue
      await this.#store.saveSchedule({
        id,
        flow: flow.name,
        source: 'flow',
        trigger: index,
        cron: trigger.cron,
        timezone,
        input,
        paused: old?.paused ?? false,
        nextFireAt: nextFire(trigger.cron, timezone, now),
        lastFireAt: old?.lastFireAt,
        createdAt: old?.createdAt ?? now,
        updatedAt: now,
      })
    }
    for (const old of existing) if (!wanted.has(old.id)) await this.#store.deleteSchedule(old.id)
    await this.#arm()
  }

  async create(spec: NewSchedule): Promise<ScheduleRecord> {
    const now = this.#clock.now()
    const timezone = spec.timezone ?? 'UTC'
    const schedule: ScheduleRecord = {
      id: sortableId(now),
      flow: spec.flow,
      source: 'api',
      trigger: undefined,
      cron: spec.cron,
      timezone,
      input: spec.input ?? {},
      paused: spec.paused ?? false,
      nextFireAt: nextFire(spec.cron, timezone, now),
      lastFireAt: undefined,
      createdAt: now,
      updatedAt: now,
    }
    await this.#store.saveSchedule(schedule)
    await this.#arm()
    return schedule
  }

  /** Changes a schedule; a flow's trigger schedule may only be paused or resumed (its flow defines the rest). */
  async update(id: string, patch: SchedulePatch): Promise<ScheduleRecord> {
    const old = await this.#existing(id)
    const changesDefinition =
      patch.cron !== undefined || patch.timezone !== undefined || patch.input !== undefined
    if (old.source === 'flow' && changesDefinition)
      throw new WeirError(
        'conflict',
        `schedule ${id} comes from flow "${old.flow}"'s /triggers/${old.trigger}; publish a new version of the flow to change it (it can be paused)`,
      )
    const now = this.#clock.now()
    const cron = patch.cron ?? old.cron
    const timezone = patch.timezone ?? old.timezone
    const resumed = old.paused && patch.paused === false
    const moved = changesDefinition || resumed
    const updated: ScheduleRecord = {
      ...old,
      cron,
      timezone,
      input: patch.input ?? old.input,
      paused: patch.paused ?? old.paused,
      nextFireAt: moved ? nextFire(cron, timezone, now) : old.nextFireAt,
      updatedAt: now,
    }
    await this.#store.saveSchedule(updated)
    await this.#arm()
    return updated
  }

  async delete(id: string): Promise<void> {
    const old = await this.#existing(id)
    if (old.source === 'flow')
      throw new WeirError(
        'conflict',
        `schedule ${id} comes from flow "${old.flow}"'s /triggers/${old.trigger}; publish a version without it, or pause it`,
      )
    await this.#store.deleteSchedule(id)
  }

  async #existing(id: string): Promise<ScheduleRecord> {
    const found = await this.#store.getSchedule(id)
    if (!found) throw new WeirError('not_found', `schedule ${id} does not exist`)
    return found
  }

  /** Fires every due schedule once, then waits for the next tick. */
  tick(): Promise<void> {
    this.#ticking ??= (async () => {
      let failed = false
      try {
        await this.#fireDue()
      } catch (error) {
        // Storage down or a bound reached: log it and look again a little later; never crash.
        failed = true
        this.#logger?.error({ err: error }, 'schedules could not fire; trying again')
      } finally {
        this.#ticking = undefined
      }
      if (failed) {
        this.#armAt(this.#clock.now() + Math.min(this.#pollMs, retryMs))
        return
      }
      await this.#arm().catch((error: unknown) => {
        this.#logger?.error({ err: error }, 'schedules could not be read; trying again')
        this.#armAt(this.#clock.now() + Math.min(this.#pollMs, retryMs))
      })
    })()
    return this.#ticking
  }

  async #fireDue(): Promise<void> {
    for (;;) {
      if (this.#stopped || this.#engine.stopping) return
      const due = await this.#store.dueSchedules(this.#clock.now(), dueBatch)
      for (const schedule of due) await this.#fire(schedule)
      if (due.length < dueBatch) return
    }
  }

  async #fire(schedule: ScheduleRecord): Promise<void> {
    const tick = schedule.nextFireAt as number
    const now = this.#clock.now()
    const idempotencyKey = `schedule:${schedule.id}:${tick}`
    try {
      const selector = schedule.trigger ?? 'none'
      const start = await this.#engine.startGuarded(schedule.flow, schedule.input, selector, {
        idempotencyKey,
      })
      const fields = { schedule: schedule.id, flow: schedule.flow, tick }
      if (start.started) this.#logger?.info({ ...fields, run: start.run.id }, 'schedule fired')
    } catch (error) {
      this.#logger?.error(
        { schedule: schedule.id, flow: schedule.flow, err: error },
        'schedule could not start its run',
      )
      // Refused for now (a bound reached, storage down): the tick stays due and fires later.
      if (error instanceof WeirError && retryable.has(error.code)) throw error
    }
    // Once for the missed period: the next tick is the first after now, not after the missed one.
    let next: number | undefined
    try {
      next = nextFire(schedule.cron, schedule.timezone, Math.max(now, tick))
    } catch (error) {
      this.#logger?.error(
        { schedule: schedule.id, err: error },
        'schedule has a cron expression that cannot be read; it stops firing',
      )
    }
    await this.#store.advanceSchedule(schedule.id, tick, next, now)
  }

  /** Sets the timer for the earliest tick (or the next look for changes other processes made). */
  async #arm(): Promise<void> {
    if (this.#stopped || this.#ticking) return
    const now = this.#clock.now()
    const earliest = await this.#store.earliestFire()
    if (this.#stopped || this.#ticking) return
    this.#armAt(Math.min(earliest ?? Number.POSITIVE_INFINITY, now + this.#pollMs))
  }

  #armAt(at: number): void {
    if (this.#stopped) return
    this.#cancelTimer?.()
    this.#cancelTimer = this.#clock.at(at, () => void this.tick())
  }
}
