/**
 * The store's interfaces, by capability (catalog, runs, schedules, keys,
 * secrets): what the engine and the HTTP API need from storage. The engine
 * never sees SQL; libSQL and PostgreSQL implement them all, held to one
 * contract test suite.
 */

import type { FlowDocument, JsonValue, TaskDocument, ValueSchema } from '../../types/index.js'
import type { FunctionBinding } from '../components/signature.js'
import type { AuditStore } from './audit-store.js'
import type { LeaseStore, RunRequestRecord, RunRequestStore } from './node-store.js'
import type {
  ApiKeyRecord,
  AttemptRecord,
  Compensation,
  EventRecord,
  EventType,
  FlowRecord,
  RefusedStart,
  RunError,
  RunParent,
  RunRecord,
  RunStatus,
  ScheduleRecord,
  SecretRecord,
  StepRunRecord,
  StepRunStatus,
  StepWait,
  TaskRecord,
} from './records.js'
import type { RetentionStore } from './retention-store.js'
import type {
  ChangedRun,
  Page,
  RunChangeFilter,
  RunChangePosition,
  RunFilter,
} from './run-lists.js'
import type { StoreSignals } from './signals.js'
import type { StorageHealthView } from './storage-health.js'
import type { StoreStats } from './store-stats.js'

export type * from './audit-store.js'
export type * from './node-store.js'
export type * from './retention-store.js'
export type * from './run-lists.js'
export type * from './store-stats.js'

/** The engine's durable state of a run (beside what RunRecord shows). */
export interface RunProgress {
  readonly status: RunStatus
  /** The step to run next (or running): its id, attempt number and step-run sequence number. */
  readonly currentStep: string | undefined
  readonly attempt: number
  /**
   * Attempts of the current step before a retry of the run: numbers go on from
   * there, and do not count against the step's `maximumAttempts`.
   */
  readonly attemptBase?: number
  readonly stepSeq: number
  /** Step runs started so far (the budget counts these). */
  readonly stepRuns: number
  /** The step that ran before the current one (its output is an omitted input). */
  readonly previousStep: string | undefined
  /** When a waiting run wakes (a retry timer), in epoch milliseconds. */
  readonly wakeAt: number | undefined
  /** When the run times out, in epoch milliseconds. */
  readonly deadline: number | undefined
  readonly eventSeq: number
  /** Set while the current step (a sleep or waitFor step) waits; its wake-up time is `wakeAt`. */
  readonly waiting?: StepWait | undefined
  readonly output?: JsonValue
  readonly error?: RunError
  readonly startedAt?: number
  readonly finishedAt?: number
  /** Set once the run began to undo its steps (it ends failed or cancelled after them). */
  readonly compensation?: Compensation
}

export interface NewEvent {
  readonly type: EventType
  readonly at: number
  readonly stepId?: string
  readonly data: JsonValue
}

/** A flow's concurrency limit, checked in the store when a run takes a slot. */
export interface SlotGuard {
  readonly flow: string
  readonly limit: number
}

/** Everything one engine decision writes about one run, committed atomically. */
export interface RunChange {
  readonly runId: string
  /**
   * The epoch of the run's lease this change was decided under: the change is
   * written only if the run still has it (no other node claimed the run since),
   * else it fails alone with a FencedError. Undefined: not fenced.
   */
  readonly epoch?: number
  readonly progress: RunProgress
  readonly stepRun?: {
    readonly seq: number
    readonly stepId: string
    readonly status: StepRunStatus
    readonly task: { readonly name: string; readonly version: number } | undefined
    readonly input: JsonValue | undefined
    readonly output: JsonValue | undefined
    readonly error: RunError | undefined
    readonly startedAt: number
    readonly finishedAt: number | undefined
    readonly callback?: { readonly token: string }
    /** A compensation's step run: the step run it undoes. */
    readonly compensates?: number
  }
  readonly attempt?: AttemptRecord & { readonly stepSeq: number }
  /**
   * The change moves the run into a slot of its flow's concurrency limit
   * (queued to running): it is written only if fewer than `limit` runs of the
   * flow hold one in the store (running, waiting or paused), counted by
   * whichever node drives them; else it fails alone with a NoSlotError.
   */
  readonly slot?: SlotGuard
  /** Ends the step run `seq` if it is still waiting (a run stopped during a wait). */
  readonly endWaitingStep?: {
    readonly seq: number
    readonly status: StepRunStatus
    readonly at: number
  }
  /** Events in order; their sequence numbers continue from the run's. */
  readonly events: readonly NewEvent[]
  /** Child runs this change starts, created with it (a change that is not written starts none). */
  readonly children?: readonly NewRun[]
  /** Requests for other runs, recorded with it: a parent woken by its child's end, a child stopped with its parent. */
  readonly requests?: readonly RunRequestRecord[]
}

/** A child run's place: its parent's step run and attempt, its root and its depth. */
export interface NewRunParent extends RunParent {
  readonly seq: number
  readonly attempt: number
  readonly root: string
  readonly depth: number
}

export interface NewRun {
  readonly id: string
  readonly flow: { readonly name: string; readonly version: number }
  readonly process: string
  readonly input: JsonValue
  readonly createdAt: number
  readonly idempotencyKey?: string
  readonly progress: RunProgress
  readonly events: readonly NewEvent[]
  /** The run starts in a slot of its flow's limit: stored only if one is free (see RunChange.slot). */
  readonly slot?: SlotGuard
  /** The node that starts the run owns it at epoch 1, its lease running `leaseMs` from now (the database's clock). */
  readonly owner?: { readonly node: string; readonly leaseMs: number }
  /** For a child run: the step run that starts it (at most one child per step run, attempt and item or branch). */
  readonly parent?: NewRunParent
  /** For a parallel branch: the one-step flow of its parent's flow it runs (`step/branch`). */
  readonly inline?: string
  /** The W3C trace context it was started under (its trace goes on from there on any node). */
  readonly traceparent?: string
}

/** A step run as `stepRunIndex` lists it. */
export interface StepRunEntry {
  readonly seq: number
  readonly stepId: string
  readonly status: StepRunStatus
  readonly compensates?: number
}

/** An active run as recovery reads it back: its record, progress, and each step's latest values. */
export interface ActiveRun {
  readonly run: RunRecord
  readonly progress: RunProgress
  readonly values: Readonly<Record<string, { output?: JsonValue; error?: RunError }>>
}

/** Secrets, sealed: the store never sees a value in the clear. */
export interface SecretStore {
  /** Sets a secret's sealed value; `created` is false when it replaced one. */
  putSecret(name: string, sealed: Uint8Array, at: number): Promise<{ created: boolean }>
  getSecret(name: string): Promise<Uint8Array | undefined>
  listSecrets(): Promise<SecretRecord[]>
  deleteSecret(name: string): Promise<boolean>
  /** Task versions (`name@version`) whose `capabilities.env` names the secret. */
  tasksUsingSecret(name: string): Promise<string[]>
  /** Stores the sealed check value unless one is there; answers the stored one. */
  initSecretCheck(sealed: Uint8Array): Promise<Uint8Array>
}

/** Components, and the immutable versions of tasks and flows. */
export interface CatalogStore {
  putComponent(sha256: string, bytes: Uint8Array): Promise<void>
  getComponent(sha256: string): Promise<Uint8Array | undefined>

  /**
   * Stores the next version of a task (1 for a new name): versions are never
   * handed out twice, also to concurrent publishes. `publishedBy`: the API key
   * id that publishes it (who granted its capabilities).
   */
  publishTask(
    document: TaskDocument & { component: string },
    binding: FunctionBinding,
    publishedBy?: string,
  ): Promise<TaskRecord>
  getTask(name: string, version?: number): Promise<TaskRecord | undefined>
  listTasks(): Promise<TaskRecord[]>

  /** Stores the next version of a flow (as `publishTask` does for tasks), with what the checker computed of it. */
  publishFlow(document: FlowDocument, process: string, computed?: FlowComputed): Promise<FlowRecord>
  /** The versions published before weir stored their output schema, oldest first. */
  flowsWithoutOutputSchema(): Promise<{ name: string; version: number }[]>
  /** Stores what the checker computed of a version published before weir stored it. */
  setFlowComputed(name: string, version: number, computed: FlowComputed): Promise<void>
  getFlow(name: string, version?: number): Promise<FlowRecord | undefined>
  /** The latest version of every flow; of a process and its sub-processes (`billing/eu`) when one is named. */
  listFlows(process?: string): Promise<FlowRecord[]>
  /** Every process with how many flows it holds itself (not counting its sub-processes). */
  listProcesses(): Promise<{ process: string; flows: number }[]>
}

/** Runs: their creation, the engine's changes, and what the API reads of them. */
export interface RunStore {
  /** Creates a run, or returns the run an idempotency key already started (`created` false). */
  createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }>
  /**
   * Commits changes of many runs in one transaction (group commit); resolves
   * once durable. A change whose values cannot be written rejects alone
   * (UnstorableValueError); a storage fault rejects with `storage_unavailable`.
   */
  commit(changes: readonly RunChange[]): Promise<void>
  /** Runs that are not finished, with what the engine needs to resume them. */
  loadActiveRuns(): Promise<ActiveRun[]>
  /** One run (whatever its status) with what the engine needs to resume it. */
  loadRun(id: string): Promise<ActiveRun | undefined>

  getRun(id: string): Promise<RunRecord | undefined>
  listRuns(filter: RunFilter): Promise<Page<RunRecord>>
  getStepRuns(runId: string): Promise<StepRunRecord[]>
  /** Step runs after `afterSeq`, at most `limit`, with their attempts; `more` when others follow. */
  stepRunsPage(
    runId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ items: StepRunRecord[]; more: boolean }>
  /** Each step run's seq, step and status, in order, without values (a compensation's says which step run it undoes). */
  stepRunIndex(runId: string): Promise<StepRunEntry[]>
  /** The child runs an attempt of a step run started (a for-each step's items, a parallel step's branches). */
  childRuns(parent: string, stepSeq: number, attempt: number): Promise<RunRecord[]>
  listEvents(runId: string, after?: number, limit?: number): Promise<Page<EventRecord>>
  /**
   * Runs matching the filter whose last change comes after `after` (all when
   * undefined) in (updated_at, id) order, oldest first, at most `limit`
   * (1–1000): what a live stream of runs polls. A run changed twice shows
   * once, as its last change left it.
   */
  runsChangedSince(
    filter: RunChangeFilter,
    after: RunChangePosition | undefined,
    limit: number,
  ): Promise<ChangedRun[]>

  recordRefusedStart(refused: RefusedStart): Promise<void>
  /** Refused starts of a flow, newest first. */
  listRefusedStarts(flow: string, limit?: number): Promise<RefusedStart[]>
}

/** Cron schedules, claimed tick by tick so that a tick fires once. */
export interface ScheduleStore {
  saveSchedule(schedule: ScheduleRecord): Promise<void>
  getSchedule(id: string): Promise<ScheduleRecord | undefined>
  listSchedules(flow?: string): Promise<ScheduleRecord[]>
  deleteSchedule(id: string): Promise<boolean>
  /** Unpaused schedules whose next tick is at or before `now`, earliest first. */
  dueSchedules(now: number, limit: number): Promise<ScheduleRecord[]>
  /** Moves a schedule past its tick `due` if no one did; false when it had moved already. */
  advanceSchedule(
    id: string,
    due: number,
    next: number | undefined,
    firedAt: number,
  ): Promise<boolean>
  /** The earliest next tick of any unpaused schedule. */
  earliestFire(): Promise<number | undefined>
}

/** What the checker computes of a flow version at publish, stored with it. */
export interface FlowComputed {
  readonly outputSchema: ValueSchema
  readonly nesting: number
}

/** API keys, stored as a hash of their secret. */
export interface KeyStore {
  createApiKey(key: ApiKeyRecord): Promise<void>
  getApiKey(id: string): Promise<ApiKeyRecord | undefined>
  listApiKeys(): Promise<ApiKeyRecord[]>
  /** Returns false when no key had that id. */
  deleteApiKey(id: string): Promise<boolean>
}

/**
 * Everything weir keeps, as one implementation (libSQL, PostgreSQL) provides
 * it; parts of the server depend on the capability interfaces they use.
 */
export interface Store
  extends CatalogStore,
    RunStore,
    ScheduleStore,
    KeyStore,
    SecretStore,
    LeaseStore,
    RunRequestStore {
  /** Whether writes work: unavailable after a storage fault until a write succeeds (see storage-health.ts). */
  readonly storage: StorageHealthView
  /** Hints between nodes that a request or an answer was stored (signals.ts). */
  readonly signals: StoreSignals
  /** The audit log of mutating API calls (audit-store.ts). */
  readonly audit: AuditStore
  /** Deletions of what is past its retention window, and the lease that says which node sweeps. */
  readonly retention: RetentionStore
  /** What metrics read: active runs by status, group commits' sizes and times (store-stats.ts). */
  readonly stats: StoreStats
  close(): Promise<void>
}
