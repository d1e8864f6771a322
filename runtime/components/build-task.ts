/**
 * `weir task build <dir>`: builds a JavaScript task folder (`task.json` +
 * `src/index.js`) into `dist/<name>.wasm`. The WIT world is generated from the
 * declared schemas; componentize-js runs in a child process; the result is
 * decoded and signature-checked before it is written. A task that declares
 * `capabilities.http` is built with componentize-js's `http` feature (fetch,
 * importing wasi:http/outgoing-handler); one that does not is built without
 * it, and its `fetch` rejects with an error naming the missing capability
 * (see taskEntry). A task that declares `capabilities.env` imports
 * `wasi:cli/environment` and reads its variables as `process.env` (set by the
 * entry at each call).
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import * as lexer from 'es-module-lexer'
import { type TaskDocument, validateTaskDocument } from '../../types/index.js'
import { WeirError } from '../errors.js'
import { packageInfo } from '../package-info.js'
import { componentView } from './check-task.js'
import { decodeComponent } from './decode-component.js'
import { taskEnvironmentInterface, worldForTask } from './schema-to-wit.js'
import { checkSignature } from './signature.js'

export interface BuiltTask {
  readonly task: TaskDocument
  readonly wasmPath: string
  readonly bytes: Uint8Array
  readonly milliseconds: number
}

const childScript = () =>
  join(packageInfo().root, 'runtime', 'components', 'componentize-child.mjs')

/** Runs componentize-js on a source file against a WIT world, in a child process (`http`: with fetch). */
export function componentizeJs(
  sourcePath: string,
  witPath: string,
  outPath: string,
  timeoutMs = 180_000,
  http = false,
): Promise<void> {
  return runChild([sourcePath, witPath, outPath, ...(http ? ['--http'] : [])], timeoutMs)
}

/**
 * The module componentize-js builds: the task's own (dist/entry.js re-exports
 * ../src/index.js; componentize-js maps the folder it runs in, the task
 * folder, as `/`). Without the http capability, `fetch` rejects with an error
 * naming what is missing (the engine's own fetch would trap). When the error
 * type is a string, an Error thrown by `run` (or rejecting its promise)
 * becomes a task error with the Error's message; componentize-js would trap
 * on anything but a string. With `env` (the task declares `capabilities.env`),
 * each call first sets `process.env` to the attempt's variables
 * (StarlingMonkey has no `process`; the module's top level runs once, at
 * build time, so it is read inside `run`).
 */
export function taskEntry(name: string, http: boolean, stringErrors: boolean, env = false): string {
  const lines = [`// Written by weir task build for task ${name}: the task is ../src/index.js.`]
  if (stringErrors || env) lines.push("import { run as taskRun } from '../src/index.js'")
  if (env) lines.push(`import { getEnvironment } from '${taskEnvironmentInterface}'`)
  lines.push("export * from '../src/index.js'")
  if (!http)
    lines.push(
      'globalThis.fetch = (input) =>',
      '  Promise.reject(',
      '    new TypeError(',
      `      \`fetch(\${String(input?.url ?? input)}) is not available: task ${name} has no http capability (declare capabilities.http.allow in task.json)\`,`,
      '    ),',
      '  )',
    )
  if (env)
    lines.push(
      '// The variables of the attempt under way (an instance serves many attempts).',
      'const readEnvironment = () => {',
      '  globalThis.process ??= {}',
      '  globalThis.process.env = Object.fromEntries(getEnvironment())',
      '}',
    )
  if (stringErrors)
    lines.push(
      'const asTaskError = (error) => {',
      '  throw error instanceof Error ? error.message : error',
      '}',
      'export function run(...args) {',
      ...(env ? ['  readEnvironment()'] : []),
      '  let out',
      '  try {',
      '    out = taskRun(...args)',
      '  } catch (error) {',
      '    asTaskError(error)',
      '  }',
      '  return out instanceof Promise ? out.catch(asTaskError) : out',
      '}',
    )
  else if (env)
    lines.push(
      'export function run(...args) {',
      '  readEnvironment()',
      '  return taskRun(...args)',
      '}',
    )
  return `${lines.join('\n')}\n`
}

/** Whether the task's error payload is a string (the default): then thrown Errors can become task errors. */
const stringErrors = (task: TaskDocument): boolean =>
  task.error === undefined || (task.error as { type?: unknown }).type === 'string'

function runChild(args: string[], timeoutMs: number, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [childScript(), ...args],
      { timeout: timeoutMs, maxBuffer: 8 << 20, ...(cwd ? { cwd } : {}) },
      (error, _stdout, stderr) => {
        if (!error) return resolve()
        const detail = stderr.trim().split('\n').slice(0, 12).join('\n') || error.message
        reject(new WeirError('build_failed', `componentize-js failed: ${detail}`))
      },
    )
  })
}

/** Reports a syntax error with its line before componentize-js (which only counts them) sees the file. */
async function checkSyntax(file: string): Promise<void> {
  const source = await readFile(file, 'utf8').catch(() => {
    throw new WeirError(
      'not_found',
      `${file} not found: a task folder holds task.json and src/index.js`,
    )
  })
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '--check'],
      { timeout: 30_000 },
      (error, _stdout, stderr) => {
        if (!error) return resolve()
        const lines = stderr
          .split('\n')
          .filter((l) => l.trim() !== '' && !l.startsWith('    at ') && !/^Node\.js v/.test(l))
        const detail = lines.join('\n').replaceAll('[stdin]', file)
        reject(new WeirError('build_failed', `${file} does not parse:\n${detail || error.message}`))
      },
    )
    child.stdin?.end(source)
  })
}

/**
 * Refuses a source that does not export `run` (what the task's world exports)
 * before componentize-js spends half a minute finding out. A module that
 * re-exports everything of another (`export * from`) is left to it.
 */
async function checkExportsRun(file: string, source: string): Promise<void> {
  await lexer.init
  let parsed: ReturnType<typeof lexer.parse>
  try {
    parsed = lexer.parse(source, file)
  } catch {
    return // checkSyntax reports what does not parse, with its line
  }
  const [imports, exports] = parsed
  const names = exports.map((e) => e.n)
  if (names.includes('run')) return
  if (imports.some((i) => /^export\s*\*/.test(source.slice(i.ss, i.se)))) return
  const found = names.length > 0 ? `it exports ${names.join(', ')}` : 'it exports nothing'
  throw new WeirError(
    'build_failed',
    `${file} does not export a function named "run" (${found}): a JavaScript task exports run(input)`,
  )
}

export async function readTaskFolder(dir: string): Promise<TaskDocument> {
  const file = join(dir, 'task.json')
  const text = await readFile(file, 'utf8').catch(() => {
    throw new WeirError(
      'not_found',
      `${file} not found: a task folder holds task.json and src/index.js`,
    )
  })
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new WeirError('invalid_request', `${file} is not valid JSON: ${(error as Error).message}`)
  }
  const result = validateTaskDocument(parsed)
  if (!result.ok) {
    const first = result.problems[0]
    throw new WeirError(
      'invalid_request',
      `${file}: ${first?.pointer || '/'}: ${first?.message}`,
      result.problems,
    )
  }
  return result.value
}

export interface BuildOptions {
  /** How long componentize-js may take. */
  readonly timeoutMs?: number
  /** Reuse dist/<name>.wasm when task.json, the source and the generated world are unchanged. */
  readonly ifChanged?: boolean
}

/** A hash of everything a build depends on, stored beside the built component. */
async function inputsHash(dir: string, wit: string, entry: string): Promise<string> {
  const hash = createHash('sha256')
  hash.update(await readFile(join(dir, 'task.json')))
  hash.update(await readFile(join(dir, 'src', 'index.js')).catch(() => new Uint8Array()))
  hash.update(wit)
  hash.update(entry)
  hash.update(packageInfo().version)
  return hash.digest('hex')
}

export async function buildTask(
  dir: string,
  options: BuildOptions = {},
): Promise<BuiltTask & { reused: boolean }> {
  const { timeoutMs = 180_000, ifChanged = false } = options
  const started = performance.now()
  const task = await readTaskFolder(dir)
  const world = worldForTask(componentView(task))
  if (world.problems.length > 0) {
    const first = world.problems[0]
    throw new WeirError(
      'build_failed',
      `${task.name}: ${first?.pointer}: ${first?.message}`,
      world.problems,
    )
  }
  const dist = join(dir, 'dist')
  await mkdir(dist, { recursive: true })
  const witPath = join(dist, 'world.wit')
  const wasmPath = join(dist, `${task.name}.wasm`)
  const hashPath = join(dist, 'build.sha256')
  const http = task.capabilities?.http !== undefined
  const env = task.capabilities?.env !== undefined
  const entryText = taskEntry(task.name, http, stringErrors(task), env)
  const hash = await inputsHash(dir, world.wit, entryText)
  if (ifChanged && (await readFile(hashPath, 'utf8').catch(() => '')) === hash) {
    const bytes = await readFile(wasmPath).catch(() => undefined)
    if (bytes)
      return {
        task,
        wasmPath,
        bytes: new Uint8Array(bytes),
        milliseconds: performance.now() - started,
        reused: true,
      }
  }
  await writeFile(witPath, world.wit)
  const partial = `${wasmPath}.partial`
  const source = join(dir, 'src', 'index.js')
  await checkSyntax(source)
  await checkExportsRun(source, await readFile(source, 'utf8'))
  const entry = join(dist, 'entry.js')
  await writeFile(entry, entryText)
  // The child runs in the task folder: give it absolute paths.
  const paths = [entry, witPath, partial].map((p) => resolve(p))
  await runChild([...paths, ...(http ? ['--http'] : [])], timeoutMs, resolve(dir))
  const bytes = new Uint8Array(await readFile(partial))
  const run = decodeComponent(bytes).exports.find((e) => e.name === 'run')
  if (!run)
    throw new WeirError(
      'build_failed',
      `${task.name}: the built component exports no "run" function`,
    )
  const check = checkSignature(componentView(task), run)
  if (!check.ok) {
    throw new WeirError(
      'build_failed',
      `${task.name}: the built component does not match task.json`,
      check.problems,
    )
  }
  await rename(partial, wasmPath)
  await writeFile(hashPath, hash)
  return { task, wasmPath, bytes, milliseconds: performance.now() - started, reused: false }
}
