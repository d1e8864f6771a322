/** API keys (admin only): create one (the key is shown once), list, delete. */
import { type ValueSchema, validateValue } from '../../../types/index.js'
import { invalidDocument } from '../../errors.js'
import type { Role } from '../../store/records.js'
import { roles } from '../api-keys.js'
import { itemsOf, parameterSchemas, ref } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { keyResource } from '../resources.js'
import { pathParam, type Route } from '../route.js'

const newKeySchema: ValueSchema = {
  type: 'object',
  required: ['name', 'role'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    role: { enum: [...roles] },
  },
}

export const keyRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/keys',
    operationId: 'createKey',
    audit: audits.createKey,
    summary:
      'Create an API key with a role; the answer holds the whole key, the only time it is shown',
    tag: 'keys',
    role: 'admin',
    body: {
      contentType: 'application/json',
      description: 'name and role',
      schema: newKeySchema,
      limit: 'json',
    },
    responses: { 201: { description: 'Created', schema: ref('ApiKey') } },
    async handle({ body }, { apiKeys }) {
      const problems = validateValue(newKeySchema, body)
      if (problems.length > 0) throw invalidDocument('the new key', problems)
      const { name, role } = body as { name: string; role: Role }
      const created = await apiKeys.create(name, role)
      return { status: 201, body: { ...keyResource(created.record), key: created.key } }
    },
  },
  {
    method: 'get',
    path: '/v1/keys',
    operationId: 'listKeys',
    summary: 'Every API key (without secrets)',
    tag: 'keys',
    role: 'admin',
    responses: { 200: { description: 'Keys', schema: itemsOf('ApiKey') } },
    async handle(_request, { apiKeys }) {
      return { status: 200, body: { items: (await apiKeys.list()).map(keyResource) } }
    },
  },
  {
    method: 'delete',
    path: '/v1/keys/{id}',
    operationId: 'deleteKey',
    audit: audits.deleteKey,
    summary: 'Delete an API key; it stops working at once',
    tag: 'keys',
    role: 'admin',
    parameters: [pathParam('id', 'the key id (the part after weir_)', parameterSchemas.keyId)],
    responses: { 204: { description: 'Deleted' } },
    async handle({ params }, { apiKeys }) {
      await apiKeys.delete(String(params.id))
      return { status: 204 }
    },
  },
]
