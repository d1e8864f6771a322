/**
 * `weir serve` as users run it, for the workflows benchmark: the built CLI
 * (`npm run build` first, so the server runs the compiled JavaScript, not
 * TypeScript through a loader) in its own process on a fresh data directory
 * and an ephemeral port, its log read and dropped. The `inc` WAT task and the
 * chains `three` and `five` are published over the HTTP API, as a client would.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { engineTasksComponent } from '../test/fixtures/engine-tasks.js'
import { chainFlow } from './three-step-flow.js'

const projectRoot = fileURLToPath(new URL('..', import.meta.url))
const built = new Set<string>()

export interface ServedWeir {
  readonly url: string
  readonly token: string
  readonly child: ChildProcess
}

async function publish(url: string, token: string): Promise<void> {
  const bytes = await engineTasksComponent()
  const sha = createHash('sha256').update(bytes).digest('hex')
  const authorization = `Bearer ${token}`
  const send = async (method: string, path: string, body: BodyInit, type: string) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization, 'content-type': type },
      body,
    })
    if (response.status >= 300)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`)
  }
  await send('PUT', `/v1/components/${sha}`, Buffer.from(bytes), 'application/wasm')
  const json = (value: unknown) => JSON.stringify(value)
  await send(
    'POST',
    '/v1/tasks',
    json({ name: 'inc', export: 'inc', component: `sha256:${sha}` }),
    'application/json',
  )
  for (const [name, steps] of [
    ['three', 3],
    ['five', 5],
  ] as const)
    await send('POST', '/v1/flows', json(chainFlow(name, steps)), 'application/json')
}

/**
 * Starts `weir serve` with `durability` (and `env`), publishes the chains, and
 * answers its URL and admin key. `root`: the checkout whose build runs (another
 * one measures an earlier version beside this one).
 */
export async function serveWeir(
  durability: 'normal' | 'strict',
  env: Readonly<Record<string, string>> = {},
  root = projectRoot,
): Promise<ServedWeir> {
  if (!built.has(root)) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
    built.add(root)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-bench-serve-'))
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'weir.js'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WEIR_DURABILITY: durability, ...env },
    },
  )
  // Its log (stderr, a JSON line per run state change) is read and dropped; the last of it is shown if it fails.
  let tail = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000)
  })
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM')
      console.error(`weir serve exited (${code ?? signal}):\n${tail}`)
  })
  const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const listening = /is listening on (http:\S+)/.exec(line)
      if (listening?.[1]) resolve(listening[1])
    })
    child.once('exit', (code) => reject(new Error(`weir serve exited with ${code}`)))
  })
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim()
  await publish(url, token)
  return { url, token, child }
}
