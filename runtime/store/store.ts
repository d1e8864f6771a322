/**
 * The store's interfaces, by capability (catalog, runs, schedules, keys,
 * secrets): what the engine and the HTTP API need from storage. The engine
 * never sees SQL; libSQL and PostgreSQL implement them all, held to one
 * contract test suite.
 */

import type { FlowDocument, JsonValue, TaskDocument, ValueSchema } from '../../types/index.js'
import type { FunctionBinding } from '../components/signature.js'
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
import type { StoreSignals } from './signals.js'
import type { StorageHealthView } from './storage-health.js'

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
}

/** An active run as recovery reads it back: its record, progress, and each step's latest values. */
export interface ActiveRun {
  readonly run: RunRecord
  readonly progress: RunProgress
  readonly values: Readonly<Record<string, { output?: JsonValue; error?: RunError }>>
}

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
  /** The step runs of a run that succeeded (compensations aside), most recent first. */
  succeededStepRuns(runId: string): Promise<{ seq: number; stepId: string }[]>
  /** The output of one step run (undefined: none, or no such step run). */
  stepRunOutput(runId: string, seq: number): Promise<JsonValue | undefined>
  /** The child runs an attempt of a step run started (a for-each step's items, a parallel step's branches). */
  childRuns(parent: string, stepSeq: number, attempt: number): Promise<RunRecord[]>
  listEvents(runId: string, after?: number, limit?: number): Promise<Page<EventRecord>>

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

/** A node as it records itself: `weir serve` processes sharing the database. */
export interface NodeRecord {
  readonly id: string
  readonly host: string
  readonly pid: number
  readonly startedAt: number
  /** Its last heartbeat, in the database's clock. */
  readonly heartbeatAt: number
  /** Active runs it owns. */
  readonly runs: number
}

/** A run a node claimed: what it needs to resume it, and the epoch its commits are fenced by. */
export interface ClaimedRun extends ActiveRun {
  readonly epoch: number
}

/**
 * Run ownership: leases in the database's clock, claimed, renewed and
 * released by nodes; every claim moves a run's epoch on, which fences the
 * commits of the node that held it before.
 */
export interface LeaseStore {
  /** The database's clock, in epoch milliseconds. */
  databaseNow(): Promise<number>
  /** Records a node starting (again, for a known id). */
  registerNode(node: { id: string; host: string; pid: number }): Promise<void>
  /** Renews the node's heartbeat and the leases of the active runs it owns; returns how many runs it holds. */
  renewLeases(node: string, leaseMs: number): Promise<number>
  /**
   * Claims up to `limit` active runs that no node owns or whose lease expired
   * (with `own`, also those the node itself owned before a restart), oldest
   * first; claimers never take the same run.
   */
  claimRuns(
    node: string,
    leaseMs: number,
    limit: number,
    options?: { own?: boolean },
  ): Promise<ClaimedRun[]>
  /** The ids of the active runs the node owns. */
  ownedRuns(node: string): Promise<string[]>
  /** Claims one run whatever its status (a retry of a finished run), unless another node's lease on it holds. */
  claimRun(node: string, id: string, leaseMs: number): Promise<ClaimedRun | undefined>
  /** Lets go of every run the node owns (a graceful stop): other nodes may claim them at once. */
  releaseRuns(node: string): Promise<void>
  /** Nodes whose heartbeat is more recent than `withinMs`, with the active runs each owns. */
  listNodes(withinMs: number): Promise<NodeRecord[]>
}

/**
 * What a node asks of a run's owner: an operation, an event, a callback; or,
 * recorded with another run's change, a notice nobody waits an answer for: a
 * parent woken because a child ended (`wake`), a child stopped with its
 * parent (`cancel` or `terminate` with `{ "cascade": true }`).
 */
export interface RunRequestRecord {
  readonly id: string
  readonly runId: string
  readonly kind: 'cancel' | 'terminate' | 'pause' | 'resume' | 'event' | 'callback' | 'wake'
  /** The request's arguments (an event's name and payload, a callback's token and body). */
  readonly body: JsonValue
  readonly createdAt: number
  /** A notice: nobody waits for its answer; it is deleted once applied, offered again if it was not. */
  readonly notice?: boolean
}

/** Who drives a run now. */
export interface RunOwner {
  readonly status: RunStatus
  readonly owner: string | undefined
  /** Whether the owner's lease holds (the database's clock). */
  readonly live: boolean
  /** The epoch of the owner's claim, and the sequence number of the run's last committed event. */
  readonly epoch: number
  readonly eventSeq: number
}

/**
 * Requests for runs another node drives: the receiving node records one and
 * waits for its answer; the owner takes it (once), applies it and answers.
 */
export interface RunRequestStore {
  runOwner(id: string): Promise<RunOwner | undefined>
  addRunRequest(request: RunRequestRecord): Promise<void>
  /** Requests no node took yet (and notices taken long ago but not applied), for runs `node` owns, oldest first. */
  pendingRunRequests(node: string, limit: number): Promise<RunRequestRecord[]>
  /** False when the request was withdrawn or taken already. */
  takeRunRequest(id: string, at: number): Promise<boolean>
  answerRunRequest(id: string, answer: JsonValue, at: number): Promise<void>
  /** The answer once there is one; the request is gone then. */
  collectRunAnswer(id: string): Promise<JsonValue | undefined>
  /** True when the request is gone unapplied; false when an owner took it. */
  withdrawRunRequest(id: string): Promise<boolean>
  /** Forgets a notice once applied (nobody collects an answer to it). */
  deleteRunRequest(id: string): Promise<void>
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
  close(): Promise<void>
}
