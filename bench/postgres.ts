/**
 * A throwaway PostgreSQL server for the benchmarks that run on it: a cluster
 * with PostgreSQL's default durability (fsync, synchronous commit), as a
 * production node would use it, started from the server binaries on this
 * machine and removed afterwards. Undefined when no binaries are installed.
 */
import pg from 'pg'
import { findBinDir, startCluster } from '../test/fixtures/postgres-cluster.js'

/** Runs `work` with the URL of a fresh database on a durable throwaway server. */
export async function withPostgres<T>(work: (url: string) => Promise<T>): Promise<T | undefined> {
  if (
    !(await findBinDir().then(
      () => true,
      () => false,
    ))
  )
    return undefined
  const cluster = await startCluster({ durable: true })
  try {
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query('CREATE DATABASE weir_bench')
    await admin.end()
    const url = new URL(cluster.url)
    url.pathname = '/weir_bench'
    return await work(url.toString())
  } finally {
    await cluster.stop()
  }
}
