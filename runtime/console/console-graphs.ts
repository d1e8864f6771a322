/**
 * The graphs the console draws: a flow version's (laid out once per version,
 * then taken from the cache) and a run's — its flow's graph with the path it
 * took, its current step and its failed step marked. A branch's, an item's
 * or a compensation's child run shows the one-step flow it runs.
 */
import type { FlowDocument } from '../../types/index.js'
import type { AppContext } from '../http/route.js'
import type { FlowRecord, RunRecord } from '../store/records.js'
import type { StepRunEntry } from '../store/store.js'
import { FlowGraphCache, pathOf, renderFlowSvg } from './graph/index.js'

/** Each console app keeps its own cache: flow versions are the same on every request. */
export const graphCache = (): FlowGraphCache => new FlowGraphCache()

export function flowGraph(cache: FlowGraphCache, flow: FlowRecord): string {
  return renderFlowSvg(cache.get(flow.name, flow.version, flow.document))
}

export async function runGraph(
  app: AppContext,
  cache: FlowGraphCache,
  run: RunRecord,
  path: readonly StepRunEntry[],
): Promise<string> {
  const loaded = await app.catalog.loadRunFlow(run)
  const document: FlowDocument = loaded.compiled.document
  const name = run.inline === undefined ? run.flow.name : `${run.flow.name}/${run.inline}`
  const layout = cache.get(name, run.flow.version, document)
  const { visited, taken } = pathOf(path, run.status)
  const current = run.finishedAt === undefined ? run.currentStep : undefined
  const failed = run.status === 'failed' ? run.error?.step || run.currentStep : undefined
  return renderFlowSvg(layout, {
    visited,
    taken,
    ...(current ? { current } : {}),
    ...(failed ? { failed } : {}),
  })
}
