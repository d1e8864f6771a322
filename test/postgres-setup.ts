/**
 * Vitest global setup owning the run's throwaway PostgreSQL server: started
 * once per `vitest run`, its superuser URL provided to tests as `postgresUrl`,
 * stopped at teardown, and stopped on exit or SIGINT/SIGTERM as a best effort
 * so that no server outlives a killed run.
 */
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type Cluster, startCluster } from './fixtures/postgres-cluster.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's throwaway PostgreSQL server. */
    postgresUrl: string
  }
}

/** Synchronous immediate stop for exit handlers, where nothing asynchronous runs. */
function stopNow(cluster: Cluster): void {
  const pgCtl = join(cluster.binDir, 'pg_ctl')
  const args = ['-D', join(cluster.dir, 'data'), '-m', 'immediate', '-w', 'stop']
  try {
    if (process.getuid?.() === 0) {
      execFileSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' })
    } else execFileSync(pgCtl, args, { stdio: 'ignore' })
  } catch {
    // Already stopped, or past saving: nothing more to do on the way out.
  }
  rmSync(cluster.dir, { recursive: true, force: true })
}

/** Starts the cluster, provides its URL, and returns the teardown that stops it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now()
  const cluster = await startCluster()
  let done = false

  const onExit = (): void => {
    if (done) return
    done = true
    stopNow(cluster)
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit()
    removeHandlers()
    // Nobody else handles the signal: die of it as we would have without us.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }
  const removeHandlers = (): void => {
    process.off('exit', onExit)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  process.on('exit', onExit)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  project.provide('postgresUrl', cluster.url)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`postgresql ready on 127.0.0.1:${cluster.port} in ${seconds} s`)

  return async () => {
    removeHandlers()
    if (done) return
    done = true
    await cluster.stop()
  }
}
