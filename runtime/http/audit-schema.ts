/**
 * The schema of an audit log entry as the API shows it
 * (`#/components/schemas/AuditEntry`): who made a mutating call, what it did
 * to what, how it ended, when and on which node.
 */
import type { Schema } from './route.js'
import { instant } from './schema-parts.js'

const nullableText = { type: ['string', 'null'] }

export const auditEntrySchema: Schema = {
  type: 'object',
  required: [
    'id',
    'at',
    'keyId',
    'keyName',
    'role',
    'action',
    'target',
    'outcome',
    'status',
    'node',
    'details',
  ],
  properties: {
    id: { type: 'string' },
    at: instant,
    keyId: {
      ...nullableText,
      description:
        'the API key that made the call; null for callbacks (their token is the credential) and calls without a valid key (401)',
    },
    keyName: { ...nullableText, description: "the key's name when the call was made" },
    role: { oneOf: [{ enum: ['admin', 'publisher', 'operator', 'viewer'] }, { type: 'null' }] },
    action: {
      type: 'string',
      description:
        'component.publish, task.publish, flow.publish, run.start, run.cancel, run.terminate, run.pause, run.resume, run.retry, event.deliver, callback.complete, callback.fail, callback.heartbeat, schedule.create, schedule.update, schedule.delete, key.create, key.delete, secret.set, secret.delete',
    },
    target: {
      ...nullableText,
      description:
        'what it acted on: flow:<name>@<version>, run:<id>, secret:<name>, key:<id>, schedule:<id>…',
    },
    outcome: {
      type: 'string',
      description: 'ok, or the error code of the answer (forbidden, invalid_document…)',
    },
    status: { type: 'integer', description: "the answer's HTTP status" },
    node: { type: 'string', description: 'the node that answered' },
    details: {
      oneOf: [{ type: 'object' }, { type: 'null' }],
      description:
        "a few safe facts (a started run's id, whether a publish made a version); never a secret, token or body",
    },
  },
}
