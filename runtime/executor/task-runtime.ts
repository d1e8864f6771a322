/**
 * One task inside one worker thread: its compiled validators and value codecs,
 * its outbound-HTTP session (the version's grant, fixed here), and its warm
 * instance. An attempt validates the input, calls the export, converts the
 * output, masks its secret values, checks it against the value limits,
 * validates it, and classifies every failure (a JavaScript task's "out of
 * memory" is the memory limit); its log and failures are masked too. The
 * sandbox reads the attempt's environment at call time (instances outlive
 * attempts). An instance that trapped, exited or hit its memory limit is
 * discarded; the next attempt instantiates afresh. Requests still open when an
 * attempt ends are stopped.
 */
import { type JsonValue, measureJson, type Problem, validateValue } from '../../types/index.js'
import { lowerCamelCase } from '../components/wit-schema.js'
import { AttemptMasking, noMasking } from './attempt-masking.js'
import type {
  AttemptEnvironment,
  AttemptFailure,
  AttemptResult,
  ExecutableTask,
} from './executor.js'
import type { PrepareMessage } from './protocol.js'
import { AttemptLog } from './sandbox/attempt-log.js'
import { type AttemptVars, noVars } from './sandbox/attempt-vars.js'
import { ExitSignal } from './sandbox/cli.js'
import { HttpSession } from './sandbox/http/session.js'
import { sandboxImports } from './sandbox/wasi-imports.js'
import { CodecError, type Convert, fromGuest, toGuest, toJson } from './value-codec.js'
import { valueLimitFailure } from './value-limits.js'

type Instantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Record<string, object>,
  instantiateCore: (
    module: WebAssembly.Module,
    imports: WebAssembly.Imports,
  ) => WebAssembly.Instance,
) => Promise<Record<string, unknown>>

type GuestFunction = (...args: unknown[]) => unknown

interface Live {
  readonly fn: GuestFunction
  readonly memories: WebAssembly.Memory[]
}

const identity: Convert = (v) => v
/** The first problems kept in an error's details (ajv reports every one; the rest are counted). */
const detailedProblems = 20
const problemDetails = (problems: Problem[]): JsonValue =>
  problems.slice(0, detailedProblems).map((p) => ({ pointer: p.pointer, message: p.message }))
/** An invalid output is kept in the details only while it is small. */
const detailedOutputBytes = 16 * 1024

export class TaskRuntime {
  readonly task: ExecutableTask
  readonly #prepare: PrepareMessage
  readonly #log: AttemptLog
  readonly #args: (input: JsonValue) => unknown[]
  readonly #output: Convert
  readonly #error: Convert
  readonly #returnsResult: boolean
  readonly #http: HttpSession
  #live: Live | undefined
  /** The environment and masking of the attempt under way. */
  #vars: AttemptVars = noVars
  #masking: AttemptMasking = noMasking

  constructor(prepare: PrepareMessage) {
    this.#prepare = prepare
    this.task = prepare.task
    this.#log = new AttemptLog(prepare.logLimit)
    this.#http = new HttpSession(
      { ref: prepare.task.ref, allow: prepare.task.capabilities?.http?.allow },
      prepare.http,
      () => this.#log,
    )
    const { binding } = prepare.task
    const params = binding.params.map((p) => ({ key: p.key, convert: toGuest(p.type) }))
    const only = params[0]
    this.#args =
      binding.inputMode === 'record' && only
        ? (input) => [only.convert(input, '')]
        : (input) =>
            params.map((p) =>
              p.convert((input as Record<string, JsonValue> | null)?.[p.key], `/${p.key}`),
            )
    const result = binding.result
    this.#returnsResult = result?.kind === 'result'
    const ok = result?.kind === 'result' ? result.ok : result
    this.#output = ok ? fromGuest(ok) : () => null
    this.#error = result?.kind === 'result' && result.err ? fromGuest(result.err) : identity
  }

  async call(input: JsonValue, environment?: AttemptEnvironment): Promise<AttemptResult> {
    const started = performance.now()
    this.#log.reset()
    this.#vars = environment?.vars ?? noVars
    const masking = environment?.secretValues.length
      ? new AttemptMasking(environment.secretValues)
      : noMasking
    this.#masking = masking
    const finish = (outcome: { output: JsonValue } | { error: AttemptFailure }): AttemptResult => {
      this.#http.endAttempt()
      this.#vars = noVars
      this.#masking = noMasking
      const log = this.#log.text((kept, cut) => masking.log(kept, cut))
      const common = { log, durationMs: performance.now() - started }
      return 'output' in outcome
        ? { status: 'succeeded', output: outcome.output, ...common }
        : { status: 'failed', error: masking.failure(outcome.error), ...common }
    }
    const inputProblems = validateValue(this.task.schemas.input, input)
    if (inputProblems.length > 0) {
      return finish({
        error: {
          kind: 'input_invalid',
          message: `the input does not match the task's input schema: ${describe(inputProblems)}`,
          details: { problems: problemDetails(inputProblems), problemCount: inputProblems.length },
        },
      })
    }
    let args: unknown[]
    try {
      args = this.#args(input)
    } catch (error) {
      return finish({ error: { kind: 'input_invalid', message: (error as Error).message } })
    }
    let live: Live
    try {
      live = await this.#instance()
    } catch (error) {
      this.#live = undefined
      return finish({ error: this.#classify(error, undefined) })
    }
    let returned: unknown
    try {
      returned = live.fn(...args)
    } catch (error) {
      const failure = this.#classify(error, live)
      if (failure.kind !== 'task_error') this.#live = undefined
      return finish({ error: failure })
    }
    return finish(this.#checkOutput(returned))
  }

  #checkOutput(returned: unknown): { output: JsonValue } | { error: AttemptFailure } {
    let unmasked: JsonValue
    try {
      unmasked = toJson(this.#output, returned)
    } catch (error) {
      return { error: { kind: 'output_invalid', message: (error as Error).message } }
    }
    // What is measured, validated, posted and stored is the masked output: the next step sees exactly that.
    const output = this.#masking.json(unmasked)
    const tooBig = valueLimitFailure('output', output, this.#prepare.valueLimits)
    if (tooBig) return { error: tooBig }
    const schema = this.task.schemas.output
    const problems = validateValue(schema, output)
    if (problems.length > 0) {
      const byMasking = !this.#masking.empty && validateValue(schema, unmasked).length === 0
      return {
        error: {
          kind: 'output_invalid',
          message: `the output does not match the task's output schema${byMasking ? ' after masking secret values' : ''}: ${describe(problems)}`,
          details: {
            ...(measureJson(output, { maxDepth: 64, maxBytes: detailedOutputBytes }).ok
              ? { output }
              : {}),
            problems: problemDetails(problems),
            problemCount: problems.length,
          },
        },
      }
    }
    return { output }
  }

  #classify(error: unknown, live: Live | undefined): AttemptFailure {
    if (error instanceof ExitSignal)
      return { kind: 'trap', message: `${error.message}: exit ends the attempt` }
    const memoryLimit: AttemptFailure = {
      kind: 'limit_exceeded',
      message: `the task reached its memory limit of ${this.task.memoryMb} MiB`,
    }
    if (this.#returnsResult && error !== null && typeof error === 'object' && 'payload' in error) {
      let details: JsonValue
      try {
        details = this.#masking.json(toJson(this.#error, (error as { payload: unknown }).payload))
      } catch (codec) {
        return { kind: 'output_invalid', message: (codec as Error).message }
      }
      // SpiderMonkey (JavaScript tasks) reports a failed allocation as a thrown "out of memory".
      if (details === 'out of memory') return memoryLimit
      const tooBig = valueLimitFailure('error', details, this.#prepare.valueLimits)
      if (tooBig) return tooBig
      const message = typeof details === 'string' ? details : 'the task returned an error'
      return { kind: 'task_error', message, details }
    }
    // A guest traps when an allocation fails: a trap with memory near its cap is the limit at work.
    const capBytes = this.task.memoryMb * 2 ** 20
    const nearCap = capBytes - Math.max(2 ** 20, capBytes / 16)
    if (live?.memories.some((m) => m.buffer.byteLength > nearCap)) return memoryLimit
    if (error instanceof CodecError) return { kind: 'output_invalid', message: error.message }
    return { kind: 'trap', message: error instanceof Error ? error.message : String(error) }
  }

  async #instance(): Promise<Live> {
    if (this.#live) return this.#live
    const { jsUrl, modules } = this.#prepare
    const { instantiate } = (await import(jsUrl)) as { instantiate: Instantiate }
    const memories: WebAssembly.Memory[] = []
    const exports = await instantiate(
      (name) => {
        const module = modules[name]
        if (!module) throw new Error(`the component has no core module ${name}`)
        return module
      },
      sandboxImports(
        () => this.#log,
        this.#http,
        () => this.#vars,
      ),
      (module, imports) => {
        const instance = new WebAssembly.Instance(module, imports)
        for (const value of Object.values(instance.exports)) {
          if (value instanceof WebAssembly.Memory) memories.push(value)
        }
        return instance
      },
    )
    this.#live = { fn: findExport(exports, this.task.binding.export), memories }
    return this.#live
  }
}

function describe(problems: Problem[]): string {
  const shown = problems.slice(0, 3).map((p) => `${p.pointer || '/'}: ${p.message}`)
  return problems.length > 3
    ? `${shown.join('; ')}; and ${problems.length - 3} more`
    : shown.join('; ')
}

/** The JS function jco exposes for `run` or `iface#func`. */
function findExport(exports: Record<string, unknown>, name: string): GuestFunction {
  const [iface, func] = name.includes('#')
    ? (name.split('#') as [string, string])
    : [undefined, name]
  let holder: Record<string, unknown> = exports
  if (iface) {
    const short = iface.replace(/^[^/]*\//, '').replace(/@.*$/, '')
    const found = exports[iface] ?? exports[short] ?? exports[lowerCamelCase(short)]
    if (!found || typeof found !== 'object')
      throw new Error(`the component does not export interface ${iface}`)
    holder = found as Record<string, unknown>
  }
  const fn = holder[lowerCamelCase(func)] ?? holder[func]
  if (typeof fn !== 'function') throw new Error(`the component does not export function ${name}`)
  return fn as GuestFunction
}
