/**
 * Secrets (admin only): set one, list names and times, read one's times,
 * delete one no task version uses. Values are never read back.
 */
import { type ValueSchema, validateValue } from '../../../types/index.js'
import { invalidDocument } from '../../errors.js'
import { secretNamePattern } from '../../secrets/secrets.js'
import { itemsOf, ref } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { secretResource } from '../resources.js'
import { pathParam, type Route } from '../route.js'

const secretBody: ValueSchema = {
  type: 'object',
  required: ['value'],
  additionalProperties: false,
  properties: { value: { type: 'string', minLength: 1, maxLength: 65_536 } },
}

const nameParam = pathParam('name', 'the secret name', {
  type: 'string',
  pattern: secretNamePattern,
})

export const secretRoutes: Route[] = [
  {
    method: 'put',
    path: '/v1/secrets/{name}',
    operationId: 'setSecret',
    audit: audits.setSecret,
    summary:
      'Set a secret (created or replaced): sealed with AES-256-GCM before it is stored, never read back; tasks see the new value from their next attempt',
    tag: 'secrets',
    role: 'admin',
    parameters: [nameParam],
    body: {
      contentType: 'application/json',
      description: '{ "value": "…" } (8 bytes or more)',
      schema: secretBody,
      limit: 'json',
    },
    responses: {
      201: { description: 'Created', schema: ref('Secret') },
      200: { description: 'Replaced', schema: ref('Secret') },
    },
    async handle({ params, body }, { secrets }) {
      const problems = validateValue(secretBody, body)
      if (problems.length > 0) throw invalidDocument('the secret', problems)
      const name = String(params.name)
      const { created } = await secrets.set(name, (body as { value: string }).value)
      return { status: created ? 201 : 200, body: secretResource(await secrets.get(name)) }
    },
  },
  {
    method: 'get',
    path: '/v1/secrets',
    operationId: 'listSecrets',
    summary: 'Every secret: names and times, never values',
    tag: 'secrets',
    role: 'admin',
    responses: { 200: { description: 'Secrets', schema: itemsOf('Secret') } },
    async handle(_request, { secrets }) {
      return { status: 200, body: { items: (await secrets.list()).map(secretResource) } }
    },
  },
  {
    method: 'get',
    path: '/v1/secrets/{name}',
    operationId: 'getSecret',
    summary: "A secret's name and times (never its value)",
    tag: 'secrets',
    role: 'admin',
    parameters: [nameParam],
    responses: { 200: { description: 'The secret', schema: ref('Secret') } },
    async handle({ params }, { secrets }) {
      return { status: 200, body: secretResource(await secrets.get(String(params.name))) }
    },
  },
  {
    method: 'delete',
    path: '/v1/secrets/{name}',
    operationId: 'deleteSecret',
    audit: audits.deleteSecret,
    summary: 'Delete a secret; 409 naming the task versions that use it',
    tag: 'secrets',
    role: 'admin',
    parameters: [nameParam],
    responses: { 204: { description: 'Deleted' } },
    async handle({ params }, { secrets }) {
      await secrets.delete(String(params.name))
      return { status: 204 }
    },
  },
]
