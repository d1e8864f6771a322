/**
 * The libSQL implementation of the Store: components stored once by hash,
 * immutable task and flow versions, runs and their history; run changes
 * serialized when submitted, then grouped into shared transactions. Every
 * query is parameterized, and every statement goes through a client that
 * turns storage faults into `storage_unavailable` and tracks storage health.
 */
import type { Client } from '@libsql/client'
import type { FlowDocument, JsonValue, TaskDocument } from '../../../types/index.js'
import type { FunctionBinding } from '../../components/signature.js'
import { WeirError } from '../../errors.js'
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
import { StorageHealth, type StorageHealthView } from '../storage-health.js'
import type { ActiveRun, NewRun, Page, RunChange, RunFilter, Store } from '../store.js'
import { GroupCommitter } from './group-commit.js'
import { type GroupWork, writeGroup } from './group-write.js'
import { GuardedClient } from './guarded-client.js'
import { type DatabaseOptions, isBusy, openDatabase, writeBatch } from './open-database.js'
import { apiKeyFromRow, flowFromRow, taskFromRow } from './row-mapping.js'
import {
  getRun,
  getStepRuns,
  listEvents,
  listRuns,
  loadActiveRuns,
  loadRun,
} from './run-queries.js'
import { changeRows, newRunRows } from './run-rows.js'
import * as schedules from './schedule-queries.js'
import * as secrets from './secret-queries.js'
import { storageFault } from './storage-faults.js'
import { probeStatements } from './storage-probe.js'

export class LibsqlStore implements Store {
  /** The database, through the guard that classifies storage faults (tests may run SQL on it). */
  readonly client: Client
  readonly #health: StorageHealth
  readonly #committer: GroupCommitter<GroupWork, RunRecord | undefined>
  readonly #now: () => number

  private constructor(raw: Client, now: () => number) {
    this.#now = now
    this.#health = new StorageHealth(() => writeBatch(this.client, probeStatements(now())), now)
    this.client = new GuardedClient(raw, this.#health)
    this.#committer = new GroupCommitter((work) => writeGroup(this.client, work, this.#now()), {
      // Writing a failed group again one by one finds the one bad change; not when the database is busy or down.
      isolate: (error) => storageFault(error) === undefined && !isBusy(error),
    })
  }

  /** Opens (and migrates) the database; a storage fault on the way is a `storage_unavailable` error. */
  static async open(options: DatabaseOptions & { now?: () => number }): Promise<LibsqlStore> {
    try {
      return new LibsqlStore(await openDatabase(options), options.now ?? Date.now)
    } catch (error) {
      throw storageFault(error) ?? error
    }
  }

  get storage(): StorageHealthView {
    return this.#health
  }

  async putComponent(sha256: string, bytes: Uint8Array): Promise<void> {
    await writeBatch(this.client, [
      {
        sql: 'INSERT INTO components (sha256, bytes, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        args: [sha256, bytes, bytes.length, this.#now()],
      },
    ])
  }

  async getComponent(sha256: string): Promise<Uint8Array | undefined> {
    const result = await this.client.execute({
      sql: 'SELECT bytes FROM components WHERE sha256 = ?',
      args: [sha256],
    })
    const bytes = result.rows[0]?.bytes
    return bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : undefined
  }

  async publishTask(
    document: TaskDocument & { component: string },
    binding: FunctionBinding,
    publishedBy?: string,
  ): Promise<TaskRecord> {
    const sha = document.component.replace(/^sha256:/, '')
    const { version: _ignored, ...rest } = document
    const [, , read] = await writeBatch(this.client, [
      {
        sql: `INSERT INTO tasks (name, version, component, document, binding, created_at, published_by)
          SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? FROM tasks WHERE name = ?`,
        args: [
          document.name,
          sha,
          JSON.stringify(rest),
          JSON.stringify(binding),
          this.#now(),
          publishedBy ?? null,
          document.name,
        ],
      },
      {
        sql: `UPDATE tasks SET document = json_set(document, '$.version', version)
          WHERE name = ? AND version = (SELECT MAX(version) FROM tasks WHERE name = ?)`,
        args: [document.name, document.name],
      },
      {
        sql: 'SELECT * FROM tasks WHERE name = ? ORDER BY version DESC LIMIT 1',
        args: [document.name],
      },
    ])
    const row = read?.rows[0]
    if (!row) throw new WeirError('internal', `task ${document.name} was not stored`)
    return taskFromRow(row)
  }

  async getTask(name: string, version?: number): Promise<TaskRecord | undefined> {
    const result =
      version === undefined
        ? await this.client.execute({
            sql: 'SELECT * FROM tasks WHERE name = ? ORDER BY version DESC LIMIT 1',
            args: [name],
          })
        : await this.client.execute({
            sql: 'SELECT * FROM tasks WHERE name = ? AND version = ?',
            args: [name, version],
          })
    const row = result.rows[0]
    return row ? taskFromRow(row) : undefined
  }

  async listTasks(): Promise<TaskRecord[]> {
    const result = await this.client.execute(
      'SELECT t.* FROM tasks t WHERE version = (SELECT MAX(version) FROM tasks u WHERE u.name = t.name) ORDER BY name',
    )
    return result.rows.map(taskFromRow)
  }

  async publishFlow(document: FlowDocument, process: string): Promise<FlowRecord> {
    const { version: _ignored, ...rest } = document
    const [, , read] = await writeBatch(this.client, [
      {
        sql: `INSERT INTO flows (name, version, process, document, created_at)
          SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ? FROM flows WHERE name = ?`,
        args: [document.name, process, JSON.stringify(rest), this.#now(), document.name],
      },
      {
        sql: `UPDATE flows SET document = json_set(document, '$.version', version)
          WHERE name = ? AND version = (SELECT MAX(version) FROM flows WHERE name = ?)`,
        args: [document.name, document.name],
      },
      {
        sql: 'SELECT * FROM flows WHERE name = ? ORDER BY version DESC LIMIT 1',
        args: [document.name],
      },
    ])
    const row = read?.rows[0]
    if (!row) throw new WeirError('internal', `flow ${document.name} was not stored`)
    return flowFromRow(row)
  }

  async getFlow(name: string, version?: number): Promise<FlowRecord | undefined> {
    const result =
      version === undefined
        ? await this.client.execute({
            sql: 'SELECT * FROM flows WHERE name = ? ORDER BY version DESC LIMIT 1',
            args: [name],
          })
        : await this.client.execute({
            sql: 'SELECT * FROM flows WHERE name = ? AND version = ?',
            args: [name, version],
          })
    const row = result.rows[0]
    return row ? flowFromRow(row) : undefined
  }

  async listFlows(process?: string): Promise<FlowRecord[]> {
    const latest = 'f.version = (SELECT MAX(version) FROM flows g WHERE g.name = f.name)'
    const result =
      process === undefined
        ? await this.client.execute(`SELECT f.* FROM flows f WHERE ${latest} ORDER BY name`)
        : await this.client.execute({
            sql: `SELECT f.* FROM flows f WHERE ${latest} AND process = ? ORDER BY name`,
            args: [process],
          })
    return result.rows.map(flowFromRow)
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const [stored] = await this.#committer.submit([{ create: run, rows: newRunRows(run) }])
    if (!stored) throw new WeirError('internal', `run ${run.id} was not stored`)
    return { run: stored, created: stored.id === run.id }
  }

  async commit(changes: readonly RunChange[]): Promise<void> {
    if (changes.length === 0) return
    // Serialized here, before joining a group: a value that cannot be written fails this call only.
    const work = changes.map((change): GroupWork => ({ change: changeRows(change) }))
    await this.#committer.submit(work)
  }

  loadActiveRuns(): Promise<ActiveRun[]> {
    return loadActiveRuns(this.client)
  }

  loadRun(id: string): Promise<ActiveRun | undefined> {
    return loadRun(this.client, id)
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return getRun(this.client, id)
  }

  listRuns(filter: RunFilter): Promise<Page<RunRecord>> {
    return listRuns(this.client, filter)
  }

  getStepRuns(runId: string): Promise<StepRunRecord[]> {
    return getStepRuns(this.client, runId)
  }

  listEvents(runId: string, after?: number, limit?: number): Promise<Page<EventRecord>> {
    return listEvents(this.client, runId, after, limit)
  }

  async recordRefusedStart(refused: RefusedStart): Promise<void> {
    await writeBatch(this.client, [
      {
        sql: 'INSERT INTO refused_starts (id, flow_name, flow_version, trigger, input, reason, code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        args: [
          refused.id,
          refused.flow.name,
          refused.flow.version,
          refused.trigger,
          JSON.stringify(refused.input),
          refused.reason,
          refused.code,
          refused.createdAt,
        ],
      },
    ])
  }

  async listRefusedStarts(flow: string, limit = 50): Promise<RefusedStart[]> {
    const result = await this.client.execute({
      sql: 'SELECT * FROM refused_starts WHERE flow_name = ? ORDER BY created_at DESC, id DESC LIMIT ?',
      args: [flow, Math.min(Math.max(limit, 1), 500)],
    })
    return result.rows.map((row) => ({
      id: String(row.id),
      flow: { name: String(row.flow_name), version: Number(row.flow_version) },
      trigger: String(row.trigger),
      input: JSON.parse(String(row.input)) as JsonValue,
      reason: String(row.reason),
      code: String(row.code) as RefusedStart['code'],
      createdAt: Number(row.created_at),
    }))
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

  async createApiKey(key: ApiKeyRecord): Promise<void> {
    await writeBatch(this.client, [
      {
        sql: 'INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
        args: [key.id, key.name, key.role, key.secretHash, key.createdAt],
      },
    ])
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const result = await this.client.execute({
      sql: 'SELECT * FROM api_keys WHERE id = ?',
      args: [id],
    })
    const row = result.rows[0]
    return row ? apiKeyFromRow(row) : undefined
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.client.execute('SELECT * FROM api_keys ORDER BY created_at, id')).rows.map(
      apiKeyFromRow,
    )
  }

  async deleteApiKey(id: string): Promise<boolean> {
    const [result] = await writeBatch(this.client, [
      { sql: 'DELETE FROM api_keys WHERE id = ?', args: [id] },
    ])
    return (result?.rowsAffected ?? 0) > 0
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

  async close(): Promise<void> {
    this.client.close()
  }
}
