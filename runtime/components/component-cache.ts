/**
 * The content-addressed cache of transpiled components on disk (one folder per
 * component sha256, written once at publish, surviving restarts), and of
 * compiled core modules in memory (once per process, per memory limit). Nothing
 * on a step's hot path transpiles or compiles after the first call. jco
 * transpiles in a child process (transpile-child.mjs): its transpiler is a
 * WebAssembly module of its own, whose compilation would leave 60–80 MiB in
 * the server's heap for good.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { WeirError } from '../errors.js'
import { packageInfo } from '../package-info.js'
import { capMemory, pageSize } from './cap-memory.js'

export interface TranspiledComponent {
  readonly sha256: string
  /** file: URL of the instantiation module. */
  readonly jsUrl: string
  /** Names of the core module files the module asks for. */
  readonly coreModules: readonly string[]
}

const entry = 'component.mjs'
const manifest = 'manifest.json'

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Transpiling a component takes well under a second; a child past this is stuck. */
const transpileTimeoutMs = 120_000

/** Runs jco on the component at `input` in a child process, writing into `out`; the names of the core modules. */
function transpileInChild(input: string, out: string): Promise<string[]> {
  const script = join(packageInfo().root, 'runtime', 'components', 'transpile-child.mjs')
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, input, out],
      { timeout: transpileTimeoutMs, maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error && (error.killed || typeof error.code !== 'number'))
          // Timed out, or never ran: weir's fault, not the component's.
          return reject(
            new WeirError('internal', `the transpiler did not finish: ${error.message}`),
          )
        if (error) {
          const detail = stderr.trim() || error.message
          return reject(
            new WeirError('invalid_component', `the component could not be transpiled: ${detail}`),
          )
        }
        try {
          resolve(JSON.parse(stdout) as string[])
        } catch {
          reject(
            new WeirError(
              'internal',
              `the transpiler answered something else: ${stdout.slice(0, 200)}`,
            ),
          )
        }
      },
    )
  })
}

export class ComponentCache {
  readonly dir: string
  readonly #compiled = new Map<string, Promise<Record<string, WebAssembly.Module>>>()
  readonly #transpiling = new Map<string, Promise<TranspiledComponent>>()

  constructor(dir: string) {
    this.dir = dir
  }

  #folder(sha: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha)) throw new WeirError('invalid_request', `not a sha256: ${sha}`)
    return join(this.dir, sha)
  }

  /** The transpiled component, transpiling (once, even when asked concurrently) if it is not on disk. */
  ensureTranspiled(bytes: Uint8Array): Promise<TranspiledComponent> {
    const sha = sha256Hex(bytes)
    const pending = this.#transpiling.get(sha)
    if (pending) return pending
    const work = this.#transpileOnce(sha, bytes).finally(() => this.#transpiling.delete(sha))
    this.#transpiling.set(sha, work)
    return work
  }

  /** The transpiled component of a sha256 already in the cache, or undefined. */
  async get(sha: string): Promise<TranspiledComponent | undefined> {
    const folder = this.#folder(sha)
    const text = await readFile(join(folder, manifest), 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    const { coreModules } = JSON.parse(text) as { coreModules: string[] }
    return { sha256: sha, jsUrl: pathToFileURL(join(folder, entry)).href, coreModules }
  }

  async #transpileOnce(sha: string, bytes: Uint8Array): Promise<TranspiledComponent> {
    const existing = await this.get(sha)
    if (existing) return existing
    const folder = this.#folder(sha)
    const staging = `${folder}.staging-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`
    let coreModules: string[]
    try {
      await mkdir(staging, { recursive: true })
      const input = join(staging, 'component.wasm')
      await writeFile(input, bytes)
      coreModules = await transpileInChild(input, staging)
      await rm(input)
    } catch (error) {
      await rm(staging, { recursive: true, force: true })
      throw error
    }
    await writeFile(join(staging, manifest), JSON.stringify({ sha256: sha, coreModules }))
    await mkdir(this.dir, { recursive: true })
    await rename(staging, folder).catch(async (error: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true })
      const raced = await stat(join(folder, manifest)).catch(() => undefined)
      if (!raced) throw error
    })
    return (await this.get(sha)) as TranspiledComponent
  }

  /** The component's core modules compiled with memories capped at `memoryMb`, once per process. */
  compiled(
    component: TranspiledComponent,
    memoryMb: number,
  ): Promise<Record<string, WebAssembly.Module>> {
    const key = `${component.sha256}:${memoryMb}`
    let modules = this.#compiled.get(key)
    if (!modules) {
      modules = this.#compile(component, memoryMb)
      modules.catch(() => this.#compiled.delete(key))
      this.#compiled.set(key, modules)
    }
    return modules
  }

  async #compile(
    component: TranspiledComponent,
    memoryMb: number,
  ): Promise<Record<string, WebAssembly.Module>> {
    const folder = this.#folder(component.sha256)
    const maxPages = Math.floor((memoryMb * 2 ** 20) / pageSize)
    const entries = await Promise.all(
      component.coreModules.map(async (name) => {
        const bytes = new Uint8Array(await readFile(join(folder, name)))
        return [name, await WebAssembly.compile(capMemory(bytes, maxPages))] as const
      }),
    )
    return Object.fromEntries(entries)
  }
}
