/** `/v1/schedules`: cron schedules, from flows' triggers and made here: list, create, read, change, pause, delete. */
import { type JsonValue, type ValueSchema, validateValue } from '../../../types/index.js'
import { invalidDocument, WeirError } from '../../errors.js'
import type { SchedulePatch } from '../../schedules/scheduler.js'
import type { ScheduleRecord } from '../../store/records.js'
import { itemsOf, parameterSchemas, ref } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { iso } from '../resources.js'
import { type AppContext, pathParam, queryParam, type Route } from '../route.js'

export function scheduleResource(s: ScheduleRecord) {
  return {
    id: s.id,
    flow: s.flow,
    source: s.source,
    trigger: s.trigger === undefined ? null : `/triggers/${s.trigger}`,
    cron: s.cron,
    timezone: s.timezone,
    input: s.input,
    paused: s.paused,
    // A paused schedule fires at no time (resuming it computes its next tick).
    nextFireAt: s.paused ? null : iso(s.nextFireAt),
    lastFireAt: iso(s.lastFireAt),
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
  }
}

const definition: Record<string, ValueSchema> = {
  cron: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    description: 'five fields: minute hour day-of-month month day-of-week',
  },
  timezone: {
    type: 'string',
    minLength: 1,
    maxLength: 64,
    description: 'IANA time zone (default UTC)',
  },
  input: { description: 'the input of each run (default {})' },
  paused: { type: 'boolean' },
}
const newScheduleSchema: ValueSchema = {
  type: 'object',
  required: ['flow', 'cron'],
  additionalProperties: false,
  properties: { flow: parameterSchemas.name, ...definition },
}
const patchSchema: ValueSchema = {
  type: 'object',
  additionalProperties: false,
  properties: definition,
}

function checked<T>(schema: ValueSchema, body: unknown, what: string): T {
  const problems = validateValue(schema, body)
  if (problems.length > 0) throw invalidDocument(what, problems)
  return body as T
}

/** The input must suit the flow's input schema (its latest version), as a start's would. */
async function checkInput(context: AppContext, flow: string, input: JsonValue): Promise<void> {
  const loaded = await context.catalog.loadFlow(flow)
  const schema = loaded.record.document.input
  const problems = schema ? validateValue(schema, input, '/input') : []
  if (problems.length > 0)
    throw invalidDocument(
      `the schedule's input does not match flow ${flow}'s input schema`,
      problems,
    )
}

const idParam = pathParam('id', 'the schedule id', { type: 'string', minLength: 1, maxLength: 200 })

export const scheduleRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/schedules',
    operationId: 'listSchedules',
    summary: "Every schedule (a flow's cron triggers and those made here), with its next fire time",
    tag: 'schedules',
    role: 'viewer',
    parameters: [queryParam('flow', 'only schedules of this flow', parameterSchemas.name)],
    responses: { 200: { description: 'Schedules', schema: itemsOf('Schedule') } },
    async handle({ params }, { store }) {
      const flow = params.flow === undefined ? undefined : String(params.flow)
      return {
        status: 200,
        body: { items: (await store.listSchedules(flow)).map(scheduleResource) },
      }
    },
  },
  {
    method: 'post',
    path: '/v1/schedules',
    operationId: 'createSchedule',
    audit: audits.createSchedule,
    summary:
      'Create a schedule: a flow, a cron expression (five fields) in a time zone, and the input of its runs',
    tag: 'schedules',
    role: 'operator',
    body: {
      contentType: 'application/json',
      description: 'the schedule',
      schema: newScheduleSchema,
      limit: 'json',
    },
    responses: { 201: { description: 'Created', schema: ref('Schedule') } },
    async handle({ body }, context) {
      const spec = checked<{
        flow: string
        cron: string
        timezone?: string
        input?: JsonValue
        paused?: boolean
      }>(newScheduleSchema, body, 'the schedule')
      await checkInput(context, spec.flow, spec.input ?? {})
      const created = await context.scheduler.create(spec)
      return {
        status: 201,
        body: scheduleResource(created),
        headers: { location: `/v1/schedules/${created.id}` },
      }
    },
  },
  {
    method: 'get',
    path: '/v1/schedules/{id}',
    operationId: 'getSchedule',
    summary: 'One schedule',
    tag: 'schedules',
    role: 'viewer',
    parameters: [idParam],
    responses: { 200: { description: 'The schedule', schema: ref('Schedule') } },
    async handle({ params }, { store }) {
      const found = await store.getSchedule(String(params.id))
      if (!found) throw new WeirError('not_found', `schedule ${params.id} does not exist`)
      return { status: 200, body: scheduleResource(found) }
    },
  },
  {
    method: 'put',
    path: '/v1/schedules/{id}',
    operationId: 'updateSchedule',
    audit: audits.updateSchedule,
    summary:
      "Change a schedule's cron, time zone or input, or pause / resume it (`paused`). A flow's trigger schedule can only be paused or resumed",
    tag: 'schedules',
    role: 'operator',
    parameters: [idParam],
    body: {
      contentType: 'application/json',
      description: 'the fields to change',
      schema: patchSchema,
      limit: 'json',
    },
    responses: { 200: { description: 'The schedule as changed', schema: ref('Schedule') } },
    async handle({ params, body }, context) {
      const patch = checked<SchedulePatch>(patchSchema, body, 'the change')
      const id = String(params.id)
      if (patch.input !== undefined) {
        const found = await context.store.getSchedule(id)
        if (found) await checkInput(context, found.flow, patch.input)
      }
      return { status: 200, body: scheduleResource(await context.scheduler.update(id, patch)) }
    },
  },
  {
    method: 'delete',
    path: '/v1/schedules/{id}',
    operationId: 'deleteSchedule',
    audit: audits.deleteSchedule,
    summary:
      "Delete a schedule made here (a flow's trigger schedule goes with a version without the trigger)",
    tag: 'schedules',
    role: 'operator',
    parameters: [idParam],
    responses: { 204: { description: 'Deleted' } },
    async handle({ params }, { scheduler }) {
      await scheduler.delete(String(params.id))
      return { status: 204 }
    },
  },
]
