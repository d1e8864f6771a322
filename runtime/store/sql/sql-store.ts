/**
 * The Store over SQL, for libSQL and PostgreSQL alike: components stored once
 * by hash, immutable task and flow versions, runs and their history; run
 * changes serialized when submitted, then grouped into shared transactions.
 * Every query is parameterized. What differs between the databases is in the
 * client (placeholders, transactions, storage faults) and the dialect.
 */
import type { FlowDocument, JsonValue, TaskDocument } from '../../../types/index.js'
import type { FunctionBinding } from '../../components/signature.js'
import { WeirError } from '../../errors.js'
import { GroupCommitter } from '../group-commit.js'
import type {
  ApiKeyRecord,
  EventRecord,
  FlowRecord,
  RefusedStart,
  RunRecord,
  ScheduleRecord,
  SecretRecord,
  StepRunRecord,
  TaskRecord,
} from '../records.js'
import { LocalSignals, type StoreSignals } from '../signals.js'
import { StorageHealth, type StorageHealthView } from '../storage-health.js'
import type {
  ActiveRun,
  AuditStore,
  ChangedRun,
  ClaimedRun,
  FlowComputed,
  NewRun,
  NodeRecord,
  Page,
  RetentionStore,
  RunChange,
  RunChangeFilter,
  RunChangePosition,
  RunFilter,
  RunOwner,
  RunRequestRecord,
  StepRunEntry,
  Store,
  StoreStats,
} from '../store.js'
import * as catalog from './catalog-queries.js'
import { fencedError, isStorageFault, noSlotError } from './commit-failures.js'
import { type GroupWork, writeGroup } from './group-write.js'
import * as keys from './key-queries.js'
import * as leases from './lease-queries.js'
import * as refusals from './refused-starts.js'
import * as requests from './request-queries.js'
import { SqlRetention } from './retention-queries.js'
import * as runChanges from './run-changes.js'
import * as runs from './run-queries.js'
import { changeRows, newRunRows } from './run-rows.js'
import * as schedules from './schedule-queries.js'
import * as secrets from './secret-queries.js'
import { SqlAuditStore } from './sql-audit-store.js'
import type { SqlClient, SqlDialect } from './sql-client.js'
import { SqlStats } from './sql-stats.js'
import * as stepRuns from './step-run-queries.js'
import { probeStatements } from './storage-probe.js'

export class SqlStore implements Store {
  /** The database, through the client that classifies storage faults (tests may run SQL on it). */
  readonly client: SqlClient
  readonly #dialect: SqlDialect
  readonly #health: StorageHealth
  readonly #committer: GroupCommitter<GroupWork, RunRecord | undefined>
  readonly #now: () => number
  readonly signals: StoreSignals
  readonly retention: RetentionStore
  readonly audit: AuditStore
  readonly stats: StoreStats

  /** `connect` wraps the open database in a client that reports to `health`. */
  protected constructor(
    connect: (health: StorageHealth) => SqlClient,
    dialect: SqlDialect,
    now: () => number,
    signals: StoreSignals = new LocalSignals(),
  ) {
    this.#now = now
    this.signals = signals
    this.#dialect = dialect
    this.#health = new StorageHealth(() => this.client.write(probeStatements(now())), now)
    this.client = connect(this.#health)
    this.retention = new SqlRetention(this.client, dialect)
    this.audit = new SqlAuditStore(this.client, this.#health, now)
    this.#committer = new GroupCommitter(
      (work) => writeGroup(this.client, this.#dialect, work, this.#now()),
      {
        // Writing a failed group again one by one finds the one bad change; not when the database is busy or down.
        isolate: (error) => !isStorageFault(error) && !this.client.busy(error),
      },
    )
    this.stats = new SqlStats(this.client, this.#committer)
  }

  get storage(): StorageHealthView {
    return this.#health
  }

  putComponent(sha256: string, bytes: Uint8Array): Promise<void> {
    return catalog.putComponent(this.client, sha256, bytes, this.#now())
  }

  getComponent(sha256: string): Promise<Uint8Array | undefined> {
    return catalog.getComponent(this.client, sha256)
  }

  publishTask(
    document: TaskDocument & { component: string },
    binding: FunctionBinding,
    publishedBy?: string,
  ): Promise<TaskRecord> {
    return catalog.publishTask(
      this.client,
      this.#dialect,
      document,
      binding,
      publishedBy,
      this.#now(),
    )
  }

  getTask(name: string, version?: number): Promise<TaskRecord | undefined> {
    return catalog.getTask(this.client, name, version)
  }

  listTasks(): Promise<TaskRecord[]> {
    return catalog.listTasks(this.client)
  }

  publishFlow(
    document: FlowDocument,
    process: string,
    computed?: FlowComputed,
  ): Promise<FlowRecord> {
    return catalog.publishFlow(this.client, this.#dialect, document, process, computed, this.#now())
  }

  flowsWithoutOutputSchema(): Promise<{ name: string; version: number }[]> {
    return catalog.flowsWithoutOutputSchema(this.client)
  }

  setFlowComputed(name: string, version: number, computed: FlowComputed): Promise<void> {
    return catalog.setFlowComputed(this.client, name, version, computed)
  }

  getFlow(name: string, version?: number): Promise<FlowRecord | undefined> {
    return catalog.getFlow(this.client, name, version)
  }

  listFlows(process?: string): Promise<FlowRecord[]> {
    return catalog.listFlows(this.client, process)
  }

  listProcesses(): Promise<{ process: string; flows: number }[]> {
    return catalog.listProcesses(this.client)
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const [stored] = await this.#committer
      .submit([{ create: run, rows: newRunRows(run) }])
      .catch(async (error: unknown) => {
        throw (run.slot && noSlotError(run.slot, error)) ?? error
      })
    if (!stored) throw new WeirError('internal', `run ${run.id} was not stored`)
    return { run: stored, created: stored.id === run.id }
  }

  async commit(changes: readonly RunChange[]): Promise<void> {
    if (changes.length === 0) return
    // Serialized here, before joining a group: a value that cannot be written fails this call only.
    const work = changes.map((change): GroupWork => ({ change: changeRows(change) }))
    try {
      await this.#committer.submit(work)
    } catch (error) {
      const slot = changes.find((c) => c.slot)?.slot
      throw (
        (await fencedError(this.client, changes, error)) ??
        (slot && noSlotError(slot, error)) ??
        error
      )
    }
  }

  loadActiveRuns(): Promise<ActiveRun[]> {
    return runs.loadActiveRuns(this.client)
  }

  loadRun(id: string): Promise<ActiveRun | undefined> {
    return runs.loadRun(this.client, id)
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return runs.getRun(this.client, id)
  }

  listRuns(filter: RunFilter): Promise<Page<RunRecord>> {
    return runs.listRuns(this.client, filter)
  }

  childRuns(parent: string, stepSeq: number, attempt: number): Promise<RunRecord[]> {
    return runs.childRuns(this.client, parent, stepSeq, attempt)
  }

  getStepRuns(runId: string): Promise<StepRunRecord[]> {
    return runs.getStepRuns(this.client, runId)
  }

  stepRunsPage(
    runId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ items: StepRunRecord[]; more: boolean }> {
    return stepRuns.stepRunsPage(this.client, runId, afterSeq, limit)
  }

  stepRunIndex(runId: string): Promise<StepRunEntry[]> {
    return stepRuns.stepRunIndex(this.client, runId)
  }

  listEvents(runId: string, after?: number, limit?: number): Promise<Page<EventRecord>> {
    return runs.listEvents(this.client, runId, after, limit)
  }

  runsChangedSince(
    filter: RunChangeFilter,
    after: RunChangePosition | undefined,
    limit: number,
  ): Promise<ChangedRun[]> {
    return runChanges.runsChangedSince(this.client, filter, after, limit)
  }

  recordRefusedStart(refused: RefusedStart): Promise<void> {
    return refusals.recordRefusedStart(this.client, refused)
  }

  listRefusedStarts(flow: string, limit?: number): Promise<RefusedStart[]> {
    return refusals.listRefusedStarts(this.client, flow, limit)
  }

  saveSchedule(schedule: ScheduleRecord): Promise<void> {
    return schedules.saveSchedule(this.client, schedule)
  }

  getSchedule(id: string): Promise<ScheduleRecord | undefined> {
    return schedules.getSchedule(this.client, id)
  }

  listSchedules(flow?: string): Promise<ScheduleRecord[]> {
    return schedules.listSchedules(this.client, flow)
  }

  deleteSchedule(id: string): Promise<boolean> {
    return schedules.deleteSchedule(this.client, id)
  }

  dueSchedules(now: number, limit: number): Promise<ScheduleRecord[]> {
    return schedules.dueSchedules(this.client, now, limit)
  }

  advanceSchedule(
    id: string,
    due: number,
    next: number | undefined,
    firedAt: number,
  ): Promise<boolean> {
    return schedules.advanceSchedule(this.client, id, due, next, firedAt)
  }

  earliestFire(): Promise<number | undefined> {
    return schedules.earliestFire(this.client)
  }

  createApiKey(key: ApiKeyRecord): Promise<void> {
    return keys.createApiKey(this.client, key)
  }

  getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return keys.getApiKey(this.client, id)
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return keys.listApiKeys(this.client)
  }

  deleteApiKey(id: string): Promise<boolean> {
    return keys.deleteApiKey(this.client, id)
  }

  putSecret(name: string, sealed: Uint8Array, at: number): Promise<{ created: boolean }> {
    return secrets.putSecret(this.client, name, sealed, at)
  }

  getSecret(name: string): Promise<Uint8Array | undefined> {
    return secrets.getSecret(this.client, name)
  }

  listSecrets(): Promise<SecretRecord[]> {
    return secrets.listSecrets(this.client)
  }

  deleteSecret(name: string): Promise<boolean> {
    return secrets.deleteSecret(this.client, name)
  }

  tasksUsingSecret(name: string): Promise<string[]> {
    return secrets.tasksUsingSecret(this.client, name)
  }

  initSecretCheck(sealed: Uint8Array): Promise<Uint8Array> {
    return secrets.initSecretCheck(this.client, sealed)
  }

  databaseNow(): Promise<number> {
    return leases.databaseNow(this.client, this.#dialect)
  }

  registerNode(node: { id: string; host: string; pid: number }): Promise<void> {
    return leases.registerNode(this.client, this.#dialect, node)
  }

  renewLeases(node: string, leaseMs: number): Promise<number> {
    return leases.renewLeases(this.client, this.#dialect, node, leaseMs)
  }

  claimRuns(
    node: string,
    leaseMs: number,
    limit: number,
    options: { own?: boolean } = {},
  ): Promise<ClaimedRun[]> {
    return leases.claimRuns(this.client, this.#dialect, node, leaseMs, limit, options.own ?? false)
  }

  ownedRuns(node: string): Promise<string[]> {
    return leases.ownedRuns(this.client, node)
  }

  claimRun(node: string, id: string, leaseMs: number): Promise<ClaimedRun | undefined> {
    return leases.claimRun(this.client, this.#dialect, node, id, leaseMs)
  }

  releaseRuns(node: string): Promise<void> {
    return leases.releaseRuns(this.client, this.#dialect, node)
  }

  listNodes(withinMs: number): Promise<NodeRecord[]> {
    return leases.listNodes(this.client, this.#dialect, withinMs)
  }

  runOwner(id: string): Promise<RunOwner | undefined> {
    return requests.runOwner(this.client, this.#dialect, id)
  }

  async addRunRequest(request: RunRequestRecord): Promise<void> {
    await requests.addRunRequest(this.client, request)
    this.signals.send('run_request', request.runId)
  }

  pendingRunRequests(node: string, limit: number): Promise<RunRequestRecord[]> {
    return requests.pendingRunRequests(this.client, node, limit, this.#now())
  }

  takeRunRequest(id: string, at: number): Promise<boolean> {
    return requests.takeRunRequest(this.client, id, at)
  }

  async answerRunRequest(id: string, answer: JsonValue, at: number): Promise<void> {
    await requests.answerRunRequest(this.client, id, answer, at)
    this.signals.send('run_answer', id)
  }

  collectRunAnswer(id: string): Promise<JsonValue | undefined> {
    return requests.collectRunAnswer(this.client, id)
  }

  withdrawRunRequest(id: string): Promise<boolean> {
    return requests.withdrawRunRequest(this.client, id)
  }

  deleteRunRequest(id: string): Promise<void> {
    return requests.deleteRunRequest(this.client, id)
  }

  async close(): Promise<void> {
    await this.signals.close()
    await this.client.close()
  }
}
