/** Tasks: publish a version (its component's signature checked), list, read. */
import { WeirError } from '../../errors.js'
import { itemsOf, parameterSchemas, problemList, ref } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { taskResource } from '../resources.js'
import { pathParam, type Route } from '../route.js'

const nameParam = pathParam('name', 'the task name', parameterSchemas.name)
const published = {
  type: 'object',
  required: ['task', 'created', 'warnings'],
  properties: { task: ref('Task'), created: { type: 'boolean' }, warnings: problemList },
}

export const taskRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/tasks',
    operationId: 'publishTask',
    audit: audits.publishTask,
    summary:
      'Publish a task version: its component (uploaded before) must export a function whose WIT signature matches the schemas. Publishing what the latest version already is changes nothing (200)',
    tag: 'tasks',
    role: 'publisher',
    body: {
      contentType: 'application/json',
      description: 'the task document, with "component": "sha256:<hex>"',
      schema: { $ref: 'https://weir.dev/schemas/task.schema.json' },
      limit: 'json',
    },
    responses: {
      201: { description: 'A new version was published', schema: published },
      200: { description: 'The latest version is this document already', schema: published },
    },
    async handle({ body, key }, { catalog }) {
      const result = await catalog.publishTask(body, undefined, key?.id)
      return {
        status: result.created ? 201 : 200,
        body: {
          task: taskResource(result.record),
          created: result.created,
          warnings: result.warnings,
        },
        headers: { location: `/v1/tasks/${result.record.name}/versions/${result.record.version}` },
      }
    },
  },
  {
    method: 'get',
    path: '/v1/tasks',
    operationId: 'listTasks',
    summary: 'The latest version of every task',
    tag: 'tasks',
    role: 'viewer',
    responses: { 200: { description: 'Tasks by name', schema: itemsOf('Task') } },
    async handle(_request, { store }) {
      return { status: 200, body: { items: (await store.listTasks()).map(taskResource) } }
    },
  },
  {
    method: 'get',
    path: '/v1/tasks/{name}',
    operationId: 'getTask',
    summary: 'The latest version of a task',
    tag: 'tasks',
    role: 'viewer',
    parameters: [nameParam],
    responses: { 200: { description: 'The task', schema: ref('Task') } },
    async handle({ params }, { store }) {
      const task = await store.getTask(String(params.name))
      if (!task) throw new WeirError('not_found', `task "${params.name}" is not published`)
      return { status: 200, body: taskResource(task) }
    },
  },
  {
    method: 'get',
    path: '/v1/tasks/{name}/versions/{version}',
    operationId: 'getTaskVersion',
    summary: 'One version of a task',
    tag: 'tasks',
    role: 'viewer',
    parameters: [nameParam, pathParam('version', 'the version', parameterSchemas.version)],
    responses: { 200: { description: 'The task version', schema: ref('Task') } },
    async handle({ params }, { store }) {
      const task = await store.getTask(String(params.name), Number(params.version))
      if (!task)
        throw new WeirError('not_found', `task "${params.name}" has no version ${params.version}`)
      return { status: 200, body: taskResource(task) }
    },
  },
]
