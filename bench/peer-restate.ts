/**
 * Restate run beside weir on the workflows workload of issue 19 (workload.ts,
 * the same client code): restate-server and a Node service built on the
 * Restate TypeScript SDK, both installed from npm into a scratch folder
 * outside the project (`<tmpdir>/weir-peer-restate`), never into its
 * dependencies. The service has two handlers, a 3- and a 5-step chain, each
 * step a durable `ctx.run` of "add one" (the counterpart of a weir task step),
 * called through Restate's ingress (request/response, waiting for the result,
 * keep-alive). CPU time and resident memory are the SUM of restate-server and
 * the service process.
 *
 * How Restate persists, by default (its `--dump-config` and source of 1.7):
 * - A single node runs every role, the log included (bifrost's `replicated`
 *   provider, replication 1, on this node's log-server). The log is the
 *   commit point: every journal entry (invocation start, each `ctx.run`
 *   result, the output) is appended to it, and the SDK continues after a
 *   `ctx.run` only when the server acknowledged that entry.
 * - The log-server writes RocksDB batches with the WAL on and `sync = true`
 *   (`[log-server] rocksdb-disable-wal-fsync = false`): one fsync per write
 *   batch, appends that arrive together sharing it (group commit), before
 *   they are acknowledged. The partition store (`[worker.storage]`) runs with
 *   its WAL disabled: it is rebuilt from the log after a crash.
 * So Restate's default survives power loss, like weir's `strict` (WAL with
 * synchronous=FULL: an fsync per commit, concurrent runs sharing commits):
 * `strict` is the right comparison for the default. weir's `normal`
 * (synchronous=NORMAL: survives a process crash, not power loss) matches
 * Restate with `rocksdb-disable-wal-fsync = true` (the WAL still written to
 * the page cache, not synced), measured here too as `no-fsync`.
 *
 * Other defaults kept as they are: 24 partitions, journals of finished
 * invocations retained for a day (weir keeps finished runs too), the SDK
 * logging two lines per invocation at info (to /dev/null, as weir's log).
 * Telemetry is turned off; the server's check for a newer release cannot
 * connect and logs one error at start, harmlessly.
 *
 * Usage: npm run bench -- restate [calls per client count, default 3000]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { arch, platform, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type Chain, runWorkload, stepsOf, usage } from './workload.js'

/** The newest 1.x restate-server on npm when this was written, and the SDK released with it. */
export const RESTATE_SERVER_VERSION = '1.7.12'
export const RESTATE_SDK_VERSION = '1.17.2'

export type RestateMode = 'default' | 'no-fsync'
type Mode = RestateMode

/** The service: a 3- and a 5-step chain, each step a durable `ctx.run` of "add one". */
const SERVICE = `// Written by weir's benchmark (bench/peer-restate.ts): the chains of "add one".
// The SDK calls Promise.withResolvers (Node 22); this supplies it on Node 20.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve
    let reject
    const promise = new this((yes, no) => {
      resolve = yes
      reject = no
    })
    return { promise, resolve, reject }
  }
}
const restate = await import('@restatedev/restate-sdk')
const chain = (steps) => async (ctx, n) => {
  let value = n
  for (let step = 1; step <= steps; step++)
    value = await ctx.run(\`add one \${step}\`, () => value + 1)
  return value
}
const chains = restate.service({ name: 'chains', handlers: { three: chain(3), five: chain(5) } })
await restate.endpoint().bind(chains).listen(Number(process.argv[2]))
`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The environment without npm's script variables (a nested npm would otherwise install into the project). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env))
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && !key.startsWith('RESTATE_'))
      env[key] = value
  return env
}

function installedVersion(dir: string, name: string): string | undefined {
  const file = join(dir, 'node_modules', name, 'package.json')
  if (!existsSync(file)) return undefined
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version
}

/** Installs restate-server and the SDK into `dir` with npm, unless those versions are there. */
async function ensureInstalled(dir: string): Promise<void> {
  if (
    installedVersion(dir, '@restatedev/restate-server') === RESTATE_SERVER_VERSION &&
    installedVersion(dir, '@restatedev/restate-sdk') === RESTATE_SDK_VERSION
  )
    return
  mkdirSync(dir, { recursive: true })
  const dependencies = {
    '@restatedev/restate-server': RESTATE_SERVER_VERSION,
    '@restatedev/restate-sdk': RESTATE_SDK_VERSION,
  }
  const manifest = { name: 'weir-peer-restate', private: true, type: 'module', dependencies }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  console.error(`installing restate-server ${RESTATE_SERVER_VERSION} and the SDK into ${dir}`)
  await promisify(execFile)(
    'npm',
    ['install', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    { cwd: dir, env: cleanEnv() },
  )
}

/** A loopback port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error()),
      )
    })
  })
}

/** Retries `attempt` until it answers true, or throws after `ms`. */
async function until(what: string, ms: number, attempt: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + ms
  for (;;) {
    if (await attempt().catch(() => false)) return
    if (performance.now() > deadline) throw new Error(`Restate: ${what} within ${ms} ms`)
    await sleep(50)
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  return exited
}

/** The server's configuration: its own data folder, loopback ports, telemetry off. */
function config(run: string, ports: readonly number[], mode: Mode): string {
  const [fabric, admin, ingress] = ports
  return [
    'node-name = "bench"',
    `base-dir = ${JSON.stringify(join(run, 'data'))}`,
    'listen-mode = "tcp"',
    'disable-telemetry = true',
    'shutdown-timeout = "10s"',
    `bind-address = "127.0.0.1:${fabric}"`,
    `advertised-address = "http://127.0.0.1:${fabric}/"`,
    '[admin]',
    `bind-address = "127.0.0.1:${admin}"`,
    '[ingress]',
    `bind-address = "127.0.0.1:${ingress}"`,
    ...(mode === 'no-fsync' ? ['[log-server]', 'rocksdb-disable-wal-fsync = true'] : []),
    '',
  ].join('\n')
}

/** Starts restate-server and the service on a fresh data folder, registers it, runs the workload. */
/** The folder Restate is installed in (installing it first if needed). */
export async function installRestate(): Promise<string> {
  const dir = join(tmpdir(), 'weir-peer-restate')
  await ensureInstalled(dir)
  return dir
}

/** Restate's rows of the workload in one configuration, labelled with `label` (default: the mode). */
export async function measureRestate(
  dir: string,
  mode: Mode,
  calls: number,
  label: string = mode,
): Promise<string[]> {
  const run = join(dir, `run-${mode}`)
  rmSync(run, { recursive: true, force: true })
  mkdirSync(run, { recursive: true })
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const [, adminPort, ingressPort, servicePort] = ports
  const admin = `http://127.0.0.1:${adminPort}`
  const ingress = `http://127.0.0.1:${ingressPort}`
  writeFileSync(join(run, 'restate.toml'), config(run, ports, mode))
  const log = join(run, 'restate.log')
  const binary = join(
    dir,
    'node_modules',
    '@restatedev',
    `restate-server-${platform()}-${arch()}`,
    'bin',
    'restate-server',
  )
  if (!existsSync(binary))
    throw new Error(`Restate: no server binary for this platform at ${binary}`)
  const began = performance.now()
  const serverLog = openSync(log, 'a')
  const server = spawn(binary, ['--config-file', join(run, 'restate.toml'), '--no-logo'], {
    cwd: run,
    env: cleanEnv(),
    stdio: ['ignore', serverLog, serverLog],
  })
  closeSync(serverLog)
  let service: ChildProcess | undefined
  try {
    await until('admin API healthy', 60_000, async () => (await fetch(`${admin}/health`)).ok)
    await until(
      'ingress healthy',
      60_000,
      async () => (await fetch(`${ingress}/restate/health`)).ok,
    )
    const healthy = performance.now()
    writeFileSync(join(dir, 'service.mjs'), SERVICE)
    const serviceLog = openSync(join(run, 'service.log'), 'a')
    service = spawn(process.execPath, [join(dir, 'service.mjs'), String(servicePort)], {
      cwd: dir,
      env: cleanEnv(),
      stdio: ['ignore', 'ignore', serviceLog],
    })
    closeSync(serviceLog)
    await until('deployment registered', 30_000, async () => {
      const response = await fetch(`${admin}/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ uri: `http://127.0.0.1:${servicePort}` }),
      })
      return response.status === 201 || response.status === 200
    })
    const call = async (chain: Chain, n: number) => {
      const response = await fetch(`${ingress}/chains/${chain}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(n),
      })
      const text = await response.text()
      if (response.status !== 200 || text !== String(n + stepsOf(chain)))
        throw new Error(`${chain}(${n}) answered ${response.status} ${text}`)
    }
    await until('first call answered', 30_000, async () => {
      await call('three', 0)
      return true
    })
    const ready = performance.now()
    const pids = [server.pid ?? 0, service.pid ?? 0]
    const lines = await runWorkload({ label, call, pids, calls })
    const [ofServer, ofService] = pids.map((pid) => usage([pid]).rssMiB.toFixed(0))
    lines.push(
      `| ${label} | RSS at the end: restate-server + service | ${ofServer} + ${ofService} MiB |`,
    )
    lines.push(
      `| ${label} | startup: server healthy, then registered and first call answered | ${(healthy - began).toFixed(0)} ms, ${(ready - healthy).toFixed(0)} ms |`,
    )
    return lines
  } catch (error) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : ''
    throw new Error(
      `${(error as Error).message}\n(${mode}) restate-server log, last lines:\n${tail}`,
    )
  } finally {
    if (service) await stop(service)
    await stop(server)
    rmSync(run, { recursive: true, force: true })
  }
}

/** Restate's rows for the workflows table: its default (fsync per log write batch), then `no-fsync`. */
export async function benchRestate(calls = 3000): Promise<string[]> {
  const dir = await installRestate()
  const lines = [
    `restate-server ${RESTATE_SERVER_VERSION}, @restatedev/restate-sdk ${RESTATE_SDK_VERSION} (installed in ${dir});`,
    'CPU ms per workflow and RSS are the SUM of the restate-server and the service (Node) process.',
    '`default` fsyncs each log write batch (compare with weir `strict`); `no-fsync` sets',
    '`[log-server] rocksdb-disable-wal-fsync = true` (compare with weir `normal`).',
    '',
    '| configuration | measure | value |',
    '|---|---|---|',
  ]
  for (const mode of ['default', 'no-fsync'] as const)
    lines.push(...(await measureRestate(dir, mode, calls)))
  return lines
}
