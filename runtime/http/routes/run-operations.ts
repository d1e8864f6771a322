/** Operations on a run: cancel, terminate, pause, resume, retry. */

import type { JsonValue } from '../../../types/index.js'
import type { Engine } from '../../engine/engine.js'
import type { RunRecord } from '../../store/records.js'
import { parameterSchemas, ref } from '../api-schemas.js'
import { audits, runOperationAudit } from '../audit-actions.js'
import { runResource } from '../resources.js'
import { pathParam, type Route } from '../route.js'
import { runIdParam } from './runs.js'

type Operation = 'cancel' | 'terminate' | 'pause' | 'resume' | 'retry'

const summaries: Record<Operation, string> = {
  cancel: 'Cancel: the run stops after its current step',
  terminate: 'Terminate: the run stops now; an attempt in flight is killed',
  pause: 'Pause: the run halts before its next step',
  resume: 'Resume a paused run',
  retry: 'Retry a failed or timed-out run from the step that failed, keeping earlier outputs',
}

const perform = (engine: Engine, operation: Operation, id: string): Promise<RunRecord> =>
  engine[operation](id)

export const runOperationRoutes: Route[] = (Object.keys(summaries) as Operation[]).map(
  (operation): Route => ({
    method: 'post',
    path: `/v1/runs/{id}/${operation}`,
    operationId: `${operation}Run`,
    audit: runOperationAudit(operation),
    summary: summaries[operation],
    tag: 'runs',
    role: 'operator',
    parameters: [runIdParam],
    responses: {
      200: {
        description: 'The run after the operation was applied or requested',
        schema: ref('Run'),
      },
    },
    async handle({ params }, { engine }) {
      return { status: 200, body: runResource(await perform(engine, operation, String(params.id))) }
    },
  }),
)

export const runEventRoute: Route = {
  method: 'post',
  path: '/v1/runs/{id}/events/{event}',
  operationId: 'deliverRunEvent',
  audit: audits.deliverRunEvent,
  summary:
    "Deliver an event to the run's waitFor step: the body (checked against the step's schema) becomes the step's output. 409 when the run's current step does not wait for this event",
  tag: 'runs',
  role: 'operator',
  parameters: [runIdParam, pathParam('event', 'the event name', parameterSchemas.eventName)],
  body: {
    contentType: 'application/json',
    description: "the event's payload (empty body: null)",
    schema: {},
    limit: 'json',
    whenEmpty: null,
  },
  responses: { 200: { description: 'The run, moving on', schema: ref('Run') } },
  async handle({ params, body }, { engine }) {
    const run = await engine.deliverEvent(
      String(params.id),
      String(params.event),
      body as JsonValue,
    )
    return { status: 200, body: runResource(run) }
  },
}
