/**
 * Step runs a page at a time (the console shows a run of 10,000 step runs
 * 100 at a time), and the index of a run's step runs: the seq, step and
 * status of each, in order, without their values (the path a run took; the
 * step runs a compensation undoes).
 */
import type { StepRunRecord, StepRunStatus } from '../records.js'
import type { StepRunEntry } from '../store.js'
import { attemptFromRow, stepRunFromRow } from './row-mapping.js'
import type { SqlClient } from './sql-client.js'

export async function stepRunsPage(
  client: SqlClient,
  runId: string,
  afterSeq: number,
  limit: number,
): Promise<{ items: StepRunRecord[]; more: boolean }> {
  const [steps] = await client.read([
    {
      sql: 'SELECT * FROM step_runs WHERE run_id = ? AND seq > CAST(? AS BIGINT) ORDER BY seq LIMIT CAST(? AS BIGINT)',
      args: [runId, afterSeq, limit + 1],
    },
  ])
  const rows = (steps?.rows ?? []).slice(0, limit)
  const last = rows.at(-1)
  if (!last) return { items: [], more: false }
  const [attempts] = await client.read([
    {
      sql: 'SELECT * FROM attempts WHERE run_id = ? AND step_seq > CAST(? AS BIGINT) AND step_seq <= CAST(? AS BIGINT) ORDER BY step_seq, number',
      args: [runId, afterSeq, Number(last.seq)],
    },
  ])
  const bySeq = new Map<number, ReturnType<typeof attemptFromRow>[]>()
  for (const row of attempts?.rows ?? []) {
    const seq = Number(row.step_seq)
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), attemptFromRow(row)])
  }
  return {
    items: rows.map((row) => stepRunFromRow(row, bySeq.get(Number(row.seq)) ?? [])),
    more: (steps?.rows.length ?? 0) > limit,
  }
}

export async function stepRunIndex(client: SqlClient, runId: string): Promise<StepRunEntry[]> {
  const result = await client.execute({
    sql: 'SELECT seq, step_id, status, compensates FROM step_runs WHERE run_id = ? ORDER BY seq',
    args: [runId],
  })
  return result.rows.map((row) => ({
    seq: Number(row.seq),
    stepId: String(row.step_id),
    status: String(row.status) as StepRunStatus,
    ...(row.compensates === null || row.compensates === undefined
      ? {}
      : { compensates: Number(row.compensates) }),
  }))
}
