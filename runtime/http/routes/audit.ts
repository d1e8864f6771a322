/**
 * `GET /v1/audit` (admin): the audit log of mutating API calls, newest first,
 * filtered by action, key, target, outcome and time, in keyset pages that
 * stay stable while calls are recorded.
 */
import type { ValueSchema } from '../../../types/index.js'
import type { AuditEntry } from '../../store/audit-store.js'
import { pageOf, parameterSchemas } from '../api-schemas.js'
import { iso } from '../resources.js'
import { queryParam, type Route } from '../route.js'
import { instant, withCursor } from './runs.js'

/** An entry as the API shows it: unknown fields are null, times ISO 8601. */
export function auditResource(entry: AuditEntry) {
  return {
    id: entry.id,
    at: iso(entry.at),
    keyId: entry.keyId ?? null,
    keyName: entry.keyName ?? null,
    role: entry.role ?? null,
    action: entry.action,
    target: entry.target ?? null,
    outcome: entry.outcome,
    status: entry.status,
    node: entry.node,
    details: entry.details ?? null,
  }
}

const text = (maxLength: number): ValueSchema => ({ type: 'string', minLength: 1, maxLength })
const optional = (value: unknown) => (value === undefined ? undefined : String(value))

export const auditRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/audit',
    operationId: 'listAudit',
    summary:
      'The audit log: every mutating API call (refused ones too) with its key, action, target, outcome, status, time and node, newest first; pages follow nextCursor',
    tag: 'audit',
    role: 'admin',
    parameters: [
      queryParam('action', 'only this action (`run.start`, `secret.set`…)', text(100)),
      queryParam('key', 'only calls made with this API key (its id)', parameterSchemas.keyId),
      queryParam(
        'target',
        'only calls on this target (`run:<id>`, `flow:<name>@<version>`…)',
        text(300),
      ),
      queryParam(
        'outcome',
        'only this outcome (`ok`, or an error code such as `forbidden`)',
        text(64),
      ),
      queryParam('from', 'at or after this ISO 8601 date-time', text(40)),
      queryParam('to', 'at or before this ISO 8601 date-time', text(40)),
      queryParam('limit', 'page size (default 50)', parameterSchemas.limit),
      queryParam('cursor', 'nextCursor of the previous page', parameterSchemas.cursor),
    ],
    responses: { 200: { description: 'A page of audit entries', schema: pageOf('AuditEntry') } },
    async handle(request, { store }) {
      const { params } = request
      const from = instant(request, 'from')
      const to = instant(request, 'to')
      const filter = {
        action: optional(params.action),
        keyId: optional(params.key),
        target: optional(params.target),
        outcome: optional(params.outcome),
        from,
        to,
        limit: params.limit === undefined ? undefined : Number(params.limit),
        cursor: optional(params.cursor),
      }
      const defined = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined))
      const page = await withCursor(params.cursor, () => store.audit.list(defined))
      return {
        status: 200,
        body: { items: page.items.map(auditResource), nextCursor: page.nextCursor ?? null },
      }
    },
  },
]
