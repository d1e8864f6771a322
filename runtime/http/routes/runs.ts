/**
 * Runs: start one (idempotently, optionally waiting for it), list, read a run,
 * its steps and events. An Idempotency-Key answers its first run only for the
 * same body (compared as JSON values, key order aside); another body is a 422.
 */
import type { JsonValue, ValueSchema } from '../../../types/index.js'
import { deepEqual } from '../../../types/schema/value-matches.js'
import { WeirError } from '../../errors.js'
import { type RunRecord, terminalStatuses } from '../../store/records.js'
import { itemsOf, pageOf, parameterSchemas, ref, runStatus } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { ParameterError } from '../problem.js'
import {
  callbackRoles,
  eventResource,
  refusalResource,
  runResource,
  stepRunResource,
} from '../resources.js'
import { type AppContext, pathParam, queryParam, type Route, type RouteRequest } from '../route.js'
import {
  eventsAfter,
  following,
  followParam,
  lastEventIdParam,
  refusePaging,
  runEventsStream,
  runsSince,
  runsStream,
} from '../run-streams.js'

export const runIdParam = pathParam('id', 'the run id', parameterSchemas.runId)
const maxWaitMs = 300_000
const timeFilter: ValueSchema = { type: 'string', maxLength: 40 }

/** The stored run, or not_found. */
export async function existingRun(context: AppContext, id: string): Promise<RunRecord> {
  const run = await context.store.getRun(id)
  if (!run) throw new WeirError('not_found', `run ${id} does not exist`)
  return run
}

/** A query parameter as an ISO 8601 date-time, in epoch milliseconds; a parameter error when it is not one. */
export function instant(request: RouteRequest, name: string): number | undefined {
  const text = request.params[name]
  if (text === undefined) return undefined
  const ms = Date.parse(String(text))
  if (Number.isNaN(ms))
    throw new ParameterError([
      { parameter: name, message: `must be an ISO 8601 date-time, not "${text}"` },
    ])
  return ms
}

/** A start's answer when a run started: the run, with `started: true` (a refused start says false). */
const startedResource = (run: RunRecord) => ({ started: true, ...runResource(run) })

const optional = (value: JsonValue | undefined) => (value === undefined ? undefined : String(value))

/**
 * The IETF Idempotency-Key draft's rule: a key reused with another request
 * body is the client's mistake (422), not a request for the first run —
 * answering the first run would hide that the new input never ran.
 */
function checkSameBody(run: RunRecord, key: string, body: JsonValue): void {
  if (deepEqual(run.input, body)) return
  throw new WeirError(
    'idempotency_key_reused',
    `the Idempotency-Key "${key}" was used for run ${run.id} with another body; a new input needs a new key`,
  )
}

/** A cursor the store does not know is a bad parameter, named as such (400 with `parameter`). */
export async function withCursor<T>(
  cursor: JsonValue | undefined,
  read: () => Promise<T>,
): Promise<T> {
  try {
    return await read()
  } catch (error) {
    const badCursor =
      cursor !== undefined &&
      error instanceof WeirError &&
      !(error instanceof ParameterError) &&
      error.code === 'invalid_request' &&
      error.message.includes('cursor')
    if (!badCursor) throw error
    throw new ParameterError([
      { parameter: 'cursor', message: `"${cursor}" is not a cursor this API gave out` },
    ])
  }
}

export const runRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/flows/{name}/runs',
    operationId: 'startRun',
    audit: audits.startRun,
    summary:
      'Start a run of the latest (or ?version) flow version. With an Idempotency-Key, a repeated start with the same body answers the first run (200); with another body it is 422 idempotency_key_reused. With ?wait=<ms>, answers the finished run (200) when it finishes within the wait, else 202. 503 with Retry-After, and no run started, when weir holds its limit of active runs (WEIR_MAX_ACTIVE_RUNS) or, with ?wait, of waiting callers (WEIR_MAX_WAITERS)',
    tag: 'runs',
    role: 'operator',
    parameters: [
      pathParam('name', 'the flow name', parameterSchemas.name),
      queryParam('version', 'the flow version to run (default: latest)', parameterSchemas.version),
      queryParam('wait', 'milliseconds to wait for the run to finish', {
        type: 'integer',
        minimum: 0,
        maximum: maxWaitMs,
      }),
      {
        name: 'Idempotency-Key',
        in: 'header',
        description:
          'a key of your choice; starting again with the same key and body answers the same run, with another body 422',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    ],
    body: {
      contentType: 'application/json',
      description: "the run's input, checked against the flow's input schema (empty body: {})",
      schema: {},
      limit: 'json',
      whenEmpty: {},
    },
    responses: {
      201: { description: 'Started', schema: ref('StartedRun') },
      200: {
        description:
          "Finished within ?wait, or the run an Idempotency-Key started before (started: true); or the http trigger's when guard refused the start (started: false)",
        // `started` tells the two apart (true: a run, false: a refused start). Not an OpenAPI
        // discriminator: generators read its values as strings ("true"), not booleans.
        schema: { oneOf: [ref('StartedRun'), ref('RefusedStart')] },
      },
      202: {
        description: 'Still going after ?wait; Location has its URL',
        schema: ref('StartedRun'),
      },
    },
    async handle({ params, body, traceparent }, { engine }) {
      // A ?wait caller takes its place before the run starts: refused (503), it starts nothing.
      const release = params.wait === undefined ? undefined : engine.reserveWaiter()
      try {
        const version = params.version === undefined ? undefined : Number(params.version)
        const idempotencyKey = optional(params['Idempotency-Key'])
        const start = await engine.startGuarded(String(params.name), body as JsonValue, 'http', {
          ...(version === undefined ? {} : { version }),
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
          ...(traceparent === undefined ? {} : { traceparent }),
        })
        if (!start.started) return { status: 200, body: refusalResource(start.refused) }
        const { run, created } = start
        if (!created && idempotencyKey !== undefined)
          checkSameBody(run, idempotencyKey, body as JsonValue)
        // Relative (RFC 9110 §10.2.2): right whatever scheme and host the client used.
        const headers = { location: `/v1/runs/${run.id}` }
        if (params.wait === undefined)
          return { status: created ? 201 : 200, body: startedResource(run), headers }
        const finished = terminalStatuses.has(run.status)
          ? run
          : await engine.waitForRun(run.id, Number(params.wait))
        if (finished) return { status: 200, body: startedResource(finished), headers }
        return { status: 202, body: startedResource(engine.activeRun(run.id) ?? run), headers }
      } finally {
        release?.()
      }
    },
  },
  {
    method: 'get',
    path: '/v1/runs',
    operationId: 'listRuns',
    summary:
      'Runs, newest first, filtered by flow, process, status, parent run and creation time; pages follow nextCursor and stay stable while runs are added',
    tag: 'runs',
    role: 'viewer',
    parameters: [
      queryParam('flow', 'only runs of this flow', parameterSchemas.name),
      queryParam(
        'process',
        'only runs of flows in this process and its sub-processes (`billing` also matches `billing/eu`)',
        parameterSchemas.process,
      ),
      queryParam('status', 'only runs in this status', runStatus),
      queryParam('parent', 'only the child runs of this run', parameterSchemas.runId),
      queryParam('from', 'created at or after this ISO 8601 date-time', timeFilter),
      queryParam('to', 'created at or before this ISO 8601 date-time', timeFilter),
      queryParam('limit', 'page size (default 50)', parameterSchemas.limit),
      queryParam('cursor', 'nextCursor of the previous page', parameterSchemas.cursor),
      followParam,
      lastEventIdParam,
    ],
    responses: {
      200: {
        description: 'A page of runs',
        schema: pageOf('Run'),
        stream:
          'With follow=1, a live stream instead: a message each time a matching run is created or changes, oldest change first (id: a cursor, data: the Run), after the cursor in Last-Event-ID when given, else from now on; a comment every 15 s keeps the connection open',
      },
    },
    async handle(request, { store }) {
      const { params } = request
      const from = instant(request, 'from')
      const to = instant(request, 'to')
      const filter = {
        ...(params.flow === undefined ? {} : { flow: String(params.flow) }),
        ...(params.process === undefined ? {} : { process: String(params.process) }),
        ...(params.status === undefined ? {} : { status: params.status as RunRecord['status'] }),
        ...(params.parent === undefined ? {} : { parent: String(params.parent) }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
      }
      if (following(params)) {
        refusePaging(params, ['limit', 'cursor'])
        return { status: 200, stream: runsStream(store, filter, runsSince(params)) }
      }
      const page = await withCursor(params.cursor, () =>
        store.listRuns({
          ...filter,
          ...(params.limit === undefined ? {} : { limit: Number(params.limit) }),
          ...(params.cursor === undefined ? {} : { cursor: String(params.cursor) }),
        }),
      )
      return {
        status: 200,
        body: { items: page.items.map(runResource), nextCursor: page.nextCursor ?? null },
      }
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}',
    operationId: 'getRun',
    summary: 'A run: status, input, output, error, timings, current step',
    tag: 'runs',
    role: 'viewer',
    parameters: [runIdParam],
    responses: { 200: { description: 'The run', schema: ref('Run') } },
    async handle({ params }, context) {
      return { status: 200, body: runResource(await existingRun(context, String(params.id))) }
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/steps',
    operationId: 'getRunSteps',
    summary:
      "The step runs of a run, in order, with their attempts: inputs, outputs, errors, logs. An async step's callback token and URL are shown to admin and operator keys only (they complete the step); for viewer and publisher keys both are null",
    tag: 'runs',
    role: 'viewer',
    parameters: [runIdParam],
    responses: { 200: { description: 'Step runs', schema: itemsOf('StepRun') } },
    async handle({ params, baseUrl, key }, context) {
      const run = await existingRun(context, String(params.id))
      const steps = await context.store.getStepRuns(run.id)
      const showToken = key !== undefined && callbackRoles.has(key.role)
      return {
        status: 200,
        body: { items: steps.map((s) => stepRunResource(s, baseUrl, showToken)) },
      }
    },
  },
  {
    method: 'get',
    path: '/v1/runs/{id}/events',
    operationId: 'getRunEvents',
    summary: "A run's history, in order",
    tag: 'runs',
    role: 'viewer',
    parameters: [
      runIdParam,
      queryParam('limit', 'page size (default 500)', {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
      }),
      queryParam(
        'cursor',
        'nextCursor of the previous page (with follow: the seq to start after)',
        {
          type: 'string',
          pattern: '^[0-9]{1,10}$',
        },
      ),
      followParam,
      lastEventIdParam,
    ],
    responses: {
      200: {
        description: 'A page of events',
        schema: pageOf('Event'),
        stream:
          'With follow=1, a live stream instead: each event as it is written (id: its seq, data: the Event), after Last-Event-ID (else cursor) when given; once the run is finished and its last event sent, a final message `event: end` with data {"status": <the run\'s status>}, and the server closes the stream; a comment every 15 s keeps the connection open',
      },
    },
    async handle({ params }, context) {
      const run = await existingRun(context, String(params.id))
      if (following(params)) {
        refusePaging(params, ['limit'])
        return { status: 200, stream: runEventsStream(context.store, run.id, eventsAfter(params)) }
      }
      const after = params.cursor === undefined ? 0 : Number(params.cursor)
      const limit = params.limit === undefined ? undefined : Number(params.limit)
      const page = await context.store.listEvents(run.id, after, limit)
      return {
        status: 200,
        body: { items: page.items.map(eventResource), nextCursor: page.nextCursor ?? null },
      }
    },
  },
]
