/** Flows: check without publishing, publish a version (checked), list by process, read. */
import { WeirError } from '../../errors.js'
import { itemsOf, parameterSchemas, problemList, ref } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { flowResource } from '../resources.js'
import { pathParam, queryParam, type Route } from '../route.js'

const nameParam = pathParam('name', 'the flow name', parameterSchemas.name)
const flowBody = {
  contentType: 'application/json',
  description: 'the flow document',
  schema: { $ref: 'https://weir.dev/schemas/flow.schema.json' },
  limit: 'json',
} as const
const published = {
  type: 'object',
  required: ['flow', 'created', 'warnings'],
  properties: { flow: ref('Flow'), created: { type: 'boolean' }, warnings: problemList },
}

export const flowRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/flows/check',
    operationId: 'checkFlow',
    summary: 'Check a flow statically against the published tasks, without publishing it',
    tag: 'flows',
    role: 'publisher',
    body: flowBody,
    responses: {
      200: {
        description: 'The outcome: ok with the pinned document, or every problem',
        schema: {
          type: 'object',
          required: ['ok', 'problems', 'warnings'],
          properties: {
            ok: { type: 'boolean' },
            flow: { $ref: 'https://weir.dev/schemas/flow.schema.json' },
            problems: problemList,
            warnings: problemList,
          },
        },
      },
    },
    async handle({ body }, { catalog }) {
      const result = await catalog.checkFlow(body)
      return {
        status: 200,
        body: result.ok
          ? { ok: true, flow: result.compiled.document, problems: [], warnings: result.warnings }
          : { ok: false, problems: result.problems, warnings: result.warnings },
      }
    },
  },
  {
    method: 'post',
    path: '/v1/flows',
    operationId: 'publishFlow',
    audit: audits.publishFlow,
    summary:
      'Publish a flow version: checked, with its task references pinned. Publishing what the latest version already is changes nothing (200)',
    tag: 'flows',
    role: 'publisher',
    body: flowBody,
    responses: {
      201: { description: 'A new version was published', schema: published },
      200: { description: 'The latest version is this document already', schema: published },
    },
    async handle({ body }, { catalog }) {
      const result = await catalog.publishFlow(body)
      return {
        status: result.created ? 201 : 200,
        body: {
          flow: flowResource(result.record),
          created: result.created,
          warnings: result.warnings,
        },
        headers: { location: `/v1/flows/${result.record.name}/versions/${result.record.version}` },
      }
    },
  },
  {
    method: 'get',
    path: '/v1/flows',
    operationId: 'listFlows',
    summary: 'The latest version of every flow, optionally of one process',
    tag: 'flows',
    role: 'viewer',
    parameters: [
      queryParam(
        'process',
        'only flows of this process and its sub-processes (`billing` also matches `billing/eu`)',
        parameterSchemas.process,
      ),
    ],
    responses: { 200: { description: 'Flows by name', schema: itemsOf('Flow') } },
    async handle({ params }, { store }) {
      const process = params.process === undefined ? undefined : String(params.process)
      return { status: 200, body: { items: (await store.listFlows(process)).map(flowResource) } }
    },
  },
  {
    method: 'get',
    path: '/v1/flows/{name}',
    operationId: 'getFlow',
    summary: 'The latest version of a flow',
    tag: 'flows',
    role: 'viewer',
    parameters: [nameParam],
    responses: { 200: { description: 'The flow', schema: ref('Flow') } },
    async handle({ params }, { store }) {
      const flow = await store.getFlow(String(params.name))
      if (!flow) throw new WeirError('not_found', `flow "${params.name}" is not published`)
      return { status: 200, body: flowResource(flow) }
    },
  },
  {
    method: 'get',
    path: '/v1/flows/{name}/versions/{version}',
    operationId: 'getFlowVersion',
    summary: 'One version of a flow',
    tag: 'flows',
    role: 'viewer',
    parameters: [nameParam, pathParam('version', 'the version', parameterSchemas.version)],
    responses: { 200: { description: 'The flow version', schema: ref('Flow') } },
    async handle({ params }, { store }) {
      const flow = await store.getFlow(String(params.name), Number(params.version))
      if (!flow)
        throw new WeirError('not_found', `flow "${params.name}" has no version ${params.version}`)
      return { status: 200, body: flowResource(flow) }
    },
  },
]
