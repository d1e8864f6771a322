/**
 * The catalog of published components, tasks and flows: publishing checks
 * everything (component signature, flow types) once; loading gives compiled
 * flows and executable tasks, built once per version and kept in memory.
 */
import { isDeepStrictEqual } from 'node:util'
import {
  type CompiledFlow,
  checkFlow,
  defaultEvaluationLimits,
  defaultMaxNesting,
  didYouMean,
  type EvaluationLimits,
  type Problem,
  parseTaskRef,
  type ResolvedTask,
  type TaskDocument,
  validateTaskDocument,
} from '../../types/index.js'
import { checkTaskComponent } from '../components/check-task.js'
import { type ComponentCache, sha256Hex } from '../components/component-cache.js'
import type { DecodedComponent } from '../components/decode-component.js'
import { WeirError } from '../errors.js'
import type { ExecutableTask } from '../executor/executor.js'
import { parseCron } from '../schedules/cron.js'
import type { FlowRecord, TaskRecord } from '../store/records.js'
import type { CatalogStore, FlowComputed, SecretStore } from '../store/store.js'
import { flowsFor, latestOrVersion, referencesOf } from './references.js'

export interface PublishedTask {
  readonly record: TaskRecord
  readonly warnings: Problem[]
  /** False when the latest version already was this document (nothing was published). */
  readonly created: boolean
}

export interface PublishedFlow {
  readonly record: FlowRecord
  readonly warnings: Problem[]
  readonly created: boolean
}

/** Two documents alike as stored (JSON), but for their version; key order does not matter. */
function sameDocument(a: { version?: number }, b: { version?: number }): boolean {
  const asStored = (doc: { version?: number }): unknown => {
    const { version: _ignored, ...rest } = doc
    return JSON.parse(JSON.stringify(rest))
  }
  return isDeepStrictEqual(asStored(a), asStored(b))
}

export interface LoadedFlow {
  readonly record: FlowRecord
  readonly compiled: CompiledFlow
  /** Executable tasks by pinned reference (`name@version`). */
  readonly tasks: ReadonlyMap<string, ExecutableTask>
}

const defaultTimeoutMs = 30_000
const latestTtlMs = 1000
const defaultMemoryMb = 256

export function executableTask(record: TaskRecord): ExecutableTask {
  const doc = record.document
  return {
    key: `${record.name}@${record.version}:${doc.component.replace(/^sha256:/, '').slice(0, 16)}`,
    component: doc.component.replace(/^sha256:/, ''),
    binding: record.binding,
    // What the component returns: an async task's request (`sends`), else its output.
    schemas: {
      input: doc.input ?? {},
      output: (doc.mode === 'async' ? doc.sends : doc.output) ?? {},
      error: doc.error ?? {},
    },
    timeoutMs: doc.timeoutMs ?? defaultTimeoutMs,
    memoryMb: doc.limits?.memoryMb ?? defaultMemoryMb,
    ref: `${record.name}@${record.version}`,
    ...(doc.capabilities ? { capabilities: doc.capabilities } : {}),
  }
}

function rejected(what: string, problems: Problem[]): WeirError {
  const first = problems[0]
  const summary = first ? `${first.pointer || '/'}: ${first.message}` : 'invalid'
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''
  return new WeirError('invalid_document', `${what}: ${summary}${more}`, problems)
}

export interface CatalogOptions {
  /** Bounds on every expression and template evaluation of the flows it compiles. */
  readonly limits?: EvaluationLimits
  /** How many levels of child runs a published flow may start below its runs (default 10). */
  readonly maxNesting?: number
}

export class Catalog {
  readonly store: CatalogStore & Pick<SecretStore, 'listSecrets'>
  readonly cache: ComponentCache
  readonly #flows = new Map<string, Promise<LoadedFlow>>()
  readonly #latest = new Map<string, { version: number; at: number }>()
  readonly #published: ((record: FlowRecord) => Promise<void>)[] = []

  readonly limits: EvaluationLimits
  readonly maxNesting: number

  constructor(
    store: CatalogStore & Pick<SecretStore, 'listSecrets'>,
    cache: ComponentCache,
    options: CatalogOptions = {},
  ) {
    this.store = store
    this.cache = cache
    this.limits = options.limits ?? defaultEvaluationLimits
    this.maxNesting = options.maxNesting ?? defaultMaxNesting
  }

  /** Stores component bytes (once per sha256) and transpiles them into the cache. */
  async putComponent(bytes: Uint8Array): Promise<{ sha256: string }> {
    const sha = sha256Hex(bytes)
    await this.cache.ensureTranspiled(bytes)
    await this.store.putComponent(sha, bytes)
    return { sha256: sha }
  }

  /** Publishes a task version: `bytes`, or the stored component the document names. */
  async publishTask(
    untrusted: unknown,
    bytes?: Uint8Array,
    publishedBy?: string,
  ): Promise<PublishedTask & { decoded: DecodedComponent }> {
    const valid = validateTaskDocument(untrusted)
    if (!valid.ok) throw rejected('task', valid.problems)
    const document = valid.value
    let component = bytes
    if (!component) {
      if (!document.component)
        throw rejected('task', [
          {
            pointer: '/component',
            code: 'invalid_document',
            message: 'missing required field "component"',
          },
        ])
      component = await this.store.getComponent(document.component.replace(/^sha256:/, ''))
      if (!component)
        throw new WeirError('not_found', `component ${document.component} has not been uploaded`)
    }
    const checked = checkTaskComponent(document, component)
    if (!checked.ok) throw rejected(`task ${document.name}`, checked.problems)
    const unknown = await this.#unknownSecrets(document)
    if (unknown.length > 0) throw rejected(`task ${document.name}`, unknown)
    await this.putComponent(component)
    const latest = await this.store.getTask(checked.task.name)
    if (latest && sameDocument(latest.document, checked.task))
      return {
        record: latest,
        warnings: checked.warnings,
        decoded: checked.decoded,
        created: false,
      }
    const record = await this.store.publishTask(checked.task, checked.binding, publishedBy)
    return { record, warnings: checked.warnings, decoded: checked.decoded, created: true }
  }

  /** A problem for each `capabilities.env` variable naming a secret that is not set. */
  async #unknownSecrets(document: TaskDocument): Promise<Problem[]> {
    const refs = Object.entries(document.capabilities?.env ?? {}).flatMap(([name, value]) =>
      typeof value === 'object' ? [[name, value.secret] as const] : [],
    )
    if (refs.length === 0) return []
    const known = new Set((await this.store.listSecrets()).map((s) => s.name))
    return refs
      .filter(([, secret]) => !known.has(secret))
      .map(([name, secret]) => ({
        pointer: `/capabilities/env/${name}`,
        code: 'unknown_secret' as const,
        message: `secret "${secret}" is not set: set it first (PUT /v1/secrets/${secret}, or weir secrets set ${secret})`,
      }))
  }

  /** Checks a flow document against the published tasks and flows, without publishing it. */
  async checkFlow(document: unknown) {
    const tasks = await this.#tasksFor(document)
    const flows = await flowsFor(this.store, document, (n, v) => this.#computed(n, v))
    const taskNames = (await this.store.listTasks()).map((t) => t.name)
    const flowNames = flows.length > 0 ? (await this.store.listFlows()).map((f) => f.name) : []
    // The published names let an unknown task's or flow's problem suggest the closest one.
    return checkFlow(document, Object.assign(latestOrVersion(tasks), { names: () => taskNames }), {
      limits: this.limits,
      maxNesting: this.maxNesting,
      resolveFlow: Object.assign(latestOrVersion(flows), { names: () => flowNames }),
    })
  }

  /** Calls `listener` after each flow version this catalog publishes (the scheduler follows triggers so). */
  onFlowPublished(listener: (record: FlowRecord) => Promise<void>): void {
    this.#published.push(listener)
  }

  async publishFlow(document: unknown): Promise<PublishedFlow> {
    const result = await this.checkFlow(document)
    if (!result.ok) throw rejected('flow', result.problems)
    const pinned = result.compiled.document
    const cronProblems = (pinned.triggers ?? []).flatMap((trigger, i) => {
      if (!('cron' in trigger)) return []
      const parsed = parseCron(trigger.cron, trigger.timezone, `/triggers/${i}`)
      return parsed.ok ? [] : parsed.problems
    })
    if (cronProblems.length > 0) throw rejected('flow', cronProblems)
    const latest = await this.store.getFlow(pinned.name)
    if (latest && sameDocument(latest.document, pinned))
      return { record: latest, warnings: result.warnings, created: false }
    const { outputSchema, nesting } = result.compiled
    const record = await this.store.publishFlow(pinned, pinned.process ?? 'default', {
      outputSchema,
      nesting,
    })
    this.#latest.set(record.name, { version: record.version, at: Date.now() })
    for (const listener of this.#published) await listener(record)
    return { record, warnings: result.warnings, created: true }
  }

  /**
   * The latest version of every published flow whose regular expressions RE2
   * refuses (flows published before weir used RE2), each with its problems:
   * such a pattern fails the evaluation that uses it, so the server lists them
   * at start.
   */
  async flowsWithRefusedPatterns(): Promise<
    { flow: string; version: number; problems: Problem[] }[]
  > {
    const out: { flow: string; version: number; problems: Problem[] }[] = []
    for (const record of await this.store.listFlows()) {
      const result = await this.checkFlow(record.document)
      const problems = result.ok ? [] : result.problems.filter((p) => p.code === 'invalid_regex')
      if (problems.length > 0) out.push({ flow: record.name, version: record.version, problems })
    }
    return out
  }

  /** The compiled flow of a published version (latest when `version` is undefined), built once. */
  async loadFlow(name: string, version?: number): Promise<LoadedFlow> {
    const pinned = version ?? (await this.#latestVersion(name))
    const key = `${name}@${pinned}`
    let loaded = this.#flows.get(key)
    if (!loaded) {
      loaded = this.store.getFlow(name, pinned).then((record) => {
        if (!record) throw new WeirError('not_found', `flow "${name}" has no version ${pinned}`)
        return this.#compile(record)
      })
      loaded.catch(() => this.#flows.delete(key))
      this.#flows.set(key, loaded)
    }
    return loaded
  }

  /** The latest version of a flow, looked up at most once a second (and again after a publish here). */
  async #latestVersion(name: string): Promise<number> {
    const known = this.#latest.get(name)
    if (known && Date.now() - known.at < latestTtlMs) return known.version
    const record = await this.store.getFlow(name)
    if (!record) {
      const names = (await this.store.listFlows()).map((f) => f.name)
      throw new WeirError('not_found', `flow "${name}" is not published${didYouMean(name, names)}`)
    }
    this.#latest.set(name, { version: record.version, at: Date.now() })
    return record.version
  }

  async #compile(record: FlowRecord): Promise<LoadedFlow> {
    const result = await this.#checkStored(record)
    if (!result.ok) {
      throw new WeirError(
        'internal',
        `stored flow ${record.name}@${record.version} no longer checks: ${result.problems[0]?.message}`,
      )
    }
    const executables = new Map<string, ExecutableTask>()
    // The tasks of its steps, and of the one-step flows of its branches, items and compensations.
    const steps = result.compiled.steps.flatMap((step) => [
      step,
      ...[...(step.branches?.values() ?? [])].flatMap((branch) => branch.inline.steps),
      ...(step.forEach?.inline.steps ?? []),
      ...(step.compensation?.inline.steps ?? []),
    ])
    for (const step of steps) {
      if (step.task) {
        const stored = await this.store.getTask(step.task.name, step.task.version)
        if (!stored) continue
        const task = executableTask(stored)
        await this.#ensureInCache(task.component)
        executables.set(`${stored.name}@${stored.version}`, task)
      }
    }
    return { record, compiled: result.compiled, tasks: executables }
  }

  /**
   * The compiled flow a run runs: its flow version's, or, for a parallel
   * branch (`inline`: step/branch), a for-each item (`inline`: step) or a
   * compensation (`inline`: step:compensate), the one-step flow of that call.
   */
  async loadRunFlow(run: {
    readonly flow: { readonly name: string; readonly version: number }
    readonly inline?: string
  }): Promise<LoadedFlow> {
    const loaded = await this.loadFlow(run.flow.name, run.flow.version)
    if (run.inline === undefined) return loaded
    // `step/branch` for a parallel branch, `step` for a for-each item, `step:compensate` for a compensation.
    const [place = '', compensation] = run.inline.split(':')
    const [stepId = '', branchName] = place.split('/')
    const index = loaded.compiled.stepIndex.get(stepId)
    const step = index === undefined ? undefined : loaded.compiled.steps[index]
    const inline =
      compensation !== undefined
        ? step?.compensation?.inline
        : branchName === undefined
          ? step?.forEach?.inline
          : step?.branches?.get(branchName)?.inline
    if (!inline)
      throw new WeirError(
        'internal',
        `flow ${run.flow.name}@${run.flow.version} has no step or branch ${run.inline}`,
      )
    return { ...loaded, compiled: inline }
  }

  /** The store holds every component; the cache (on disk) may have lost one or be new: transpile it again. */
  async #ensureInCache(sha: string): Promise<void> {
    if (await this.cache.get(sha)) return
    const bytes = await this.store.getComponent(sha)
    if (!bytes)
      throw new WeirError('internal', `component ${sha} is neither in the store nor in the cache`)
    await this.cache.ensureTranspiled(bytes)
  }

  /**
   * A stored version checked again, as it was published: its references are
   * pinned, and patterns RE2 refuses fail when used (not here). Nesting is not
   * bounded again: the engine bounds it at run time.
   */
  async #checkStored(record: FlowRecord) {
    const tasks = await this.#tasksFor(record.document)
    const flows = await flowsFor(this.store, record.document, (n, v) => this.#computed(n, v))
    return checkFlow(record.document, latestOrVersion(tasks), {
      limits: this.limits,
      checkPatterns: false,
      maxNesting: Number.POSITIVE_INFINITY,
      resolveFlow: latestOrVersion(flows),
    })
  }

  /**
   * Computes and stores the output schema (and nesting) of every version
   * published before weir stored them, oldest first; returns how many. The
   * server does this at start, once.
   */
  async backfillFlowOutputs(): Promise<number> {
    const missing = await this.store.flowsWithoutOutputSchema()
    for (const { name, version } of missing) await this.#computed(name, version)
    return missing.length
  }

  /** The output schema and nesting of a version, computed and stored now if it has none yet. */
  async #computed(name: string, version: number): Promise<FlowComputed | undefined> {
    const record = await this.store.getFlow(name, version)
    if (!record) return undefined
    if (record.outputSchema) return { outputSchema: record.outputSchema, nesting: record.nesting }
    const result = await this.#checkStored(record)
    if (!result.ok) return undefined
    const { outputSchema, nesting } = result.compiled
    await this.store.setFlowComputed(name, version, { outputSchema, nesting })
    return { outputSchema, nesting }
  }

  /** The published tasks a flow document refers to (each version it names, and the latest). */
  async #tasksFor(document: unknown): Promise<ResolvedTask[]> {
    const out: ResolvedTask[] = []
    for (const ref of referencesOf(document, 'task')) {
      const { name, version } = parseTaskRef(ref)
      const latest = await this.store.getTask(name)
      if (latest) out.push(latest.document as ResolvedTask)
      if (version !== undefined && version !== latest?.version) {
        const pinned = await this.store.getTask(name, version)
        if (pinned) out.push(pinned.document as ResolvedTask)
      }
    }
    return out
  }
}
