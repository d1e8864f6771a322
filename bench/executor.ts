/**
 * Executor overhead: per-call time of the worker-pool executor (validation,
 * value conversion, a message round trip to a worker thread, a warm instance)
 * against a raw call on an instance of the same component in this thread; and
 * the first call of a task from the on-disk cache (compile, instantiate);
 * and the overhead of one outbound HTTP request (executor-http.ts).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkTaskComponent } from '../runtime/components/check-task.js'
import { ComponentCache } from '../runtime/components/component-cache.js'
import type { ExecutableTask } from '../runtime/executor/executor.js'
import { AttemptLog } from '../runtime/executor/sandbox/attempt-log.js'
import { HttpSession } from '../runtime/executor/sandbox/http/session.js'
import { sandboxImports } from '../runtime/executor/sandbox/wasi-imports.js'
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { probeComponent } from '../test/fixtures/probe-component.js'
import type { JsonValue } from '../types/index.js'
import { benchExecutorHttp } from './executor-http.js'

const sealedHttp = { maxResponseBytes: 16 * 2 ** 20, extraCa: undefined }

interface Subject {
  readonly name: string
  readonly bytes: Uint8Array
  readonly exportName: string
  readonly input: JsonValue
  readonly args: unknown[]
}

async function rawCallMicros(
  cache: ComponentCache,
  task: ExecutableTask,
  subject: Subject,
  calls: number,
): Promise<number> {
  const component = await cache.get(task.component)
  if (!component) throw new Error('not transpiled')
  const modules = await cache.compiled(component, task.memoryMb)
  const { instantiate } = await import(component.jsUrl)
  const log = new AttemptLog(65536)
  const exports = await instantiate(
    (n: string) => modules[n],
    sandboxImports(
      () => log,
      new HttpSession({ ref: task.ref, allow: undefined }, sealedHttp, () => log),
    ),
    (m: WebAssembly.Module, i: WebAssembly.Imports) => new WebAssembly.Instance(m, i),
  )
  const fn = exports[subject.exportName] as (...args: unknown[]) => unknown
  for (let i = 0; i < 2000; i++) fn(...subject.args)
  const started = performance.now()
  for (let i = 0; i < calls; i++) fn(...subject.args)
  return ((performance.now() - started) * 1000) / calls
}

async function executorMicros(
  pool: WorkerPool,
  task: ExecutableTask,
  input: JsonValue,
  calls: number,
): Promise<number> {
  for (let i = 0; i < 500; i++) await pool.execute({ task, input })
  const started = performance.now()
  for (let i = 0; i < calls; i++) await pool.execute({ task, input })
  return ((performance.now() - started) * 1000) / calls
}

async function prepare(
  cache: ComponentCache,
  subject: Subject,
  key: string,
): Promise<ExecutableTask> {
  const checked = checkTaskComponent(
    { name: subject.name, export: subject.exportName },
    subject.bytes,
  )
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  const component = await cache.ensureTranspiled(subject.bytes)
  const { input, output, error } = checked.task
  return {
    key,
    component: component.sha256,
    binding: checked.binding,
    schemas: { input: input ?? {}, output: output ?? {}, error: error ?? {} },
    timeoutMs: 10_000,
    memoryMb: 256,
    ref: `${subject.name}@1`,
  }
}

export async function benchExecutor(): Promise<string[]> {
  const subjects: Subject[] = [
    {
      name: 'wat-add',
      bytes: await probeComponent(),
      exportName: 'add',
      input: { a: 2, b: 3 },
      args: [2, 3],
    },
    {
      name: 'js-increment',
      bytes: new Uint8Array(
        readFileSync(new URL('../tasks/increment/dist/increment.wasm', import.meta.url)),
      ),
      exportName: 'run',
      input: { n: 41 },
      args: [{ n: 41 }],
    },
  ]
  const dir = mkdtempSync(join(tmpdir(), 'weir-bench-'))
  const lines = [
    '| task | raw call | executor call | overhead | ratio | first call from disk cache |',
    '|---|---|---|---|---|---|',
  ]
  for (const subject of subjects) {
    const warmCache = new ComponentCache(dir)
    const task = await prepare(warmCache, subject, `${subject.name}@1`)
    const raw = await rawCallMicros(warmCache, task, subject, 20_000)
    const coldCache = new ComponentCache(dir)
    const pool = await WorkerPool.start({ cache: coldCache, size: 1 })
    const firstStart = performance.now()
    const first = await pool.execute({ task, input: subject.input })
    const firstMs = performance.now() - firstStart
    if (first.status !== 'succeeded') throw new Error(JSON.stringify(first))
    const exec = await executorMicros(pool, task, subject.input, 5_000)
    await pool.close()
    lines.push(
      `| ${subject.name} | ${raw.toFixed(1)} µs | ${exec.toFixed(1)} µs | ${(exec - raw).toFixed(1)} µs | ${(exec / raw).toFixed(1)}× | ${firstMs.toFixed(1)} ms |`,
    )
  }
  lines.push(...(await benchExecutorHttp(new ComponentCache(dir))))
  return lines
}
