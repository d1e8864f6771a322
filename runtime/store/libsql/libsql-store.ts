/**
 * The libSQL implementation of the Store: components stored once by hash,
 * immutable task and flow versions, runs and their history; run changes
 * grouped into shared transactions. Every query is parameterized.
 */
import type { Client, InStatement, Row } from '@libsql/client'
import type { FlowDocument, JsonValue, TaskDocument } from '../../../types/index.js'
import type { FunctionBinding } from '../../components/signature.js'
import { WeirError } from '../../errors.js'
import type {
  ApiKeyRecord,
  EventRecord,
  FlowRecord,
  RefusedStart,
  Role,
  RunRecord,
  ScheduleRecord,
  StepRunRecord,
  TaskRecord,
} from '../records.js'
import type { ActiveRun, NewRun, Page, RunChange, RunFilter, Store } from '../store.js'
import { GroupCommitter } from './group-commit.js'
import { type DatabaseOptions, openDatabase, writeBatch } from './open-database.js'
import { runFromRow } from './row-mapping.js'
import {
  getRun,
  getStepRuns,
  listEvents,
  listRuns,
  loadActiveRuns,
  loadRun,
} from './run-queries.js'
import { changeStatements, newRunStatements, newRunsStatements } from './run-statements.js'
import * as schedules from './schedule-queries.js'

function apiKeyFromRow(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    role: String(row.role) as Role,
    secretHash: String(row.secret_hash),
    createdAt: Number(row.created_at),
  }
}

function taskFromRow(row: Row): TaskRecord {
  const document = JSON.parse(String(row.document)) as TaskRecord['document']
  return {
    name: String(row.name),
    version: Number(row.version),
    document,
    binding: JSON.parse(String(row.binding)) as FunctionBinding,
    createdAt: Number(row.created_at),
  }
}

/** The record of a run just created (what the row holds without reading it back). */
function newRunRecord(run: NewRun): RunRecord {
  return {
    id: run.id,
    flow: run.flow,
    process: run.process,
    status: run.progress.status,
    input: run.input,
    output: undefined,
    error: undefined,
    createdAt: run.createdAt,
    startedAt: run.progress.startedAt,
    finishedAt: undefined,
    currentStep: run.progress.currentStep,
    waiting: undefined,
    idempotencyKey: run.idempotencyKey,
  }
}

function flowFromRow(row: Row): FlowRecord {
  return {
    name: String(row.name),
    version: Number(row.version),
    process: String(row.process),
    document: JSON.parse(String(row.document)) as FlowRecord['document'],
    createdAt: Number(row.created_at),
  }
}

/** What one group transaction writes: run changes and new runs. */
type Work = { readonly change: RunChange } | { readonly create: NewRun }

export class LibsqlStore implements Store {
  readonly client: Client
  readonly #committer: GroupCommitter<Work, RunRecord | undefined>
  readonly #now: () => number

  private constructor(client: Client, now: () => number) {
    this.client = client
    this.#now = now
    this.#committer = new GroupCommitter((work) => this.#writeGroup(work))
  }

  static async open(options: DatabaseOptions & { now?: () => number }): Promise<LibsqlStore> {
    return new LibsqlStore(await openDatabase(options), options.now ?? Date.now)
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
  ): Promise<TaskRecord> {
    const sha = document.component.replace(/^sha256:/, '')
    const { version: _ignored, ...rest } = document
    const [, , read] = await writeBatch(this.client, [
      {
        sql: `INSERT INTO tasks (name, version, component, document, binding, created_at)
          SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM tasks WHERE name = ?`,
        args: [
          document.name,
          sha,
          JSON.stringify(rest),
          JSON.stringify(binding),
          this.#now(),
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
    const [stored] = await this.#committer.submit([{ create: run }])
    if (!stored) throw new WeirError('internal', `run ${run.id} was not stored`)
    return { run: stored, created: stored.id === run.id }
  }

  async commit(changes: readonly RunChange[]): Promise<void> {
    if (changes.length > 0) await this.#committer.submit(changes.map((change) => ({ change })))
  }

  /** One transaction for a group: new runs first (in order), then run changes; returns each new run as stored. */
  async #writeGroup(work: Work[]): Promise<(RunRecord | undefined)[]> {
    const plain = work.flatMap((item) =>
      'create' in item && item.create.idempotencyKey === undefined ? [item.create] : [],
    )
    const statements: InStatement[] = newRunsStatements(plain)
    const reads: (number | undefined)[] = []
    const changes: RunChange[] = []
    for (const item of work) {
      if ('change' in item) {
        changes.push(item.change)
        reads.push(undefined)
        continue
      }
      const key = item.create.idempotencyKey
      if (key === undefined) {
        reads.push(undefined)
        continue
      }
      statements.push(...newRunStatements(item.create))
      reads.push(statements.length)
      statements.push({
        sql: 'SELECT r.* FROM idempotency_keys k JOIN runs r ON r.id = k.run_id WHERE k.flow_name = ? AND k.key = ?',
        args: [item.create.flow.name, key],
      })
    }
    statements.push(...changeStatements(changes, this.#now()))
    const results = await writeBatch(this.client, statements)
    return work.map((item, i) => {
      if ('change' in item) return undefined
      const read = reads[i]
      if (read === undefined) return newRunRecord(item.create)
      const row = results[read]?.rows[0]
      return row ? runFromRow(row) : undefined
    })
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
        sql: 'INSERT INTO refused_starts (id, flow_name, flow_version, trigger, input, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        args: [
          refused.id,
          refused.flow.name,
          refused.flow.version,
          refused.trigger,
          JSON.stringify(refused.input),
          refused.reason,
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

  async close(): Promise<void> {
    this.client.close()
  }
}
