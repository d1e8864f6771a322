/**
 * The audit specs of the API's mutating routes, by route, so the action names
 * read as one list (they are stable: auditors filter on them). Targets are
 * `kind:name` (`flow:checkout@3`, `run:<id>`, `secret:<name>`, `key:<id>`,
 * `schedule:<id>`); details hold a few safe facts. Nothing here reads a
 * secret's value, an API key's secret, a callback token's secret or a body
 * beyond the one field named.
 */
import type { JsonValue } from '../../types/index.js'
import { type AuditSpec, facts, field, onPathTarget, versioned } from './audit-spec.js'

/** Run operations: `run.cancel`, `run.terminate`, `run.pause`, `run.resume`, `run.retry`. */
export const runOperationAudit = (operation: string): AuditSpec =>
  onPathTarget(`run.${operation}`, 'run', 'id')

/** `callback.complete`, `callback.fail`, `callback.heartbeat` by the status a callback reports. */
const callbackActions: Readonly<Record<string, string>> = {
  succeeded: 'callback.complete',
  failed: 'callback.fail',
  heartbeat: 'callback.heartbeat',
}

/**
 * The run and step sequence number a callback token names (`<run>.<seq>.<secret>`),
 * read from its prefix only: the secret, the step's credential, is never kept.
 */
function tokenNames(token: string | undefined): { runId: string; stepSeq: number } | undefined {
  const named = /^([0-9A-Z]{26})\.(\d{1,9})\./.exec(token ?? '')
  return named ? { runId: named[1] as string, stepSeq: Number(named[2]) } : undefined
}

/** Whether a start's answer says the http trigger's guard refused it (`started: false`). */
const refused = (answer: unknown): boolean =>
  typeof answer === 'object' && answer !== null && 'started' in answer && answer.started === false

/** Whether a publish made a new version (201) or found the latest one was the same (200). */
const created = (status: number): JsonValue | undefined =>
  status === 201 ? true : status === 200 ? false : undefined

export const audits = {
  putComponent: onPathTarget('component.publish', 'component', 'sha256'),

  publishTask: {
    action: 'task.publish',
    target: ({ answer, body }) =>
      answer === undefined
        ? versioned('task', field(body, 'name'), undefined)
        : versioned('task', field(answer, 'task', 'name'), field(answer, 'task', 'version')),
    details: ({ status }) => facts({ created: created(status) }),
  },

  publishFlow: {
    action: 'flow.publish',
    target: ({ answer, body }) =>
      answer === undefined
        ? versioned('flow', field(body, 'name'), undefined)
        : versioned('flow', field(answer, 'flow', 'name'), field(answer, 'flow', 'version')),
    details: ({ status }) => facts({ created: created(status) }),
  },

  startRun: {
    action: 'run.start',
    target: ({ path, params, answer }) =>
      versioned('flow', path.name, field(answer, 'flow', 'version') ?? field(params, 'version')),
    // A start the http trigger's guard refused started nothing: its refusal code says why.
    details: ({ answer }) =>
      answer === undefined
        ? undefined
        : refused(answer)
          ? facts({ refused: field(answer, 'code') })
          : facts({ run: field(answer, 'id') }),
  },

  deliverRunEvent: onPathTarget('event.deliver', 'run', 'id', ({ path }) =>
    facts({ event: path.event }),
  ),

  callback: {
    action: ({ body }) => callbackActions[field(body, 'status') ?? ''] ?? 'callback',
    target: ({ path }) => versioned('run', tokenNames(path.token)?.runId, undefined),
    details: ({ path, answer }) =>
      facts({ stepSeq: tokenNames(path.token)?.stepSeq, step: field(answer, 'step') }),
  },

  createSchedule: {
    action: 'schedule.create',
    target: ({ answer }) => versioned('schedule', field(answer, 'id'), undefined),
    details: ({ answer, body }) => facts({ flow: field(answer ?? body, 'flow') }),
  },

  updateSchedule: onPathTarget('schedule.update', 'schedule', 'id', ({ answer, body }) =>
    // Which fields changed (once the body was valid, its keys are the schema's), not their values.
    answer === undefined || typeof body !== 'object' || body === null
      ? undefined
      : facts({ changed: Object.keys(body).sort() }),
  ),

  deleteSchedule: onPathTarget('schedule.delete', 'schedule', 'id'),

  createKey: {
    action: 'key.create',
    target: ({ answer }) => versioned('key', field(answer, 'id'), undefined),
    // The new key's name and role; never `key`, the whole key the answer shows once.
    details: ({ answer }) => facts({ name: field(answer, 'name'), role: field(answer, 'role') }),
  },

  deleteKey: onPathTarget('key.delete', 'key', 'id'),

  setSecret: onPathTarget('secret.set', 'secret', 'name', ({ status }) =>
    facts({ created: created(status) }),
  ),

  deleteSecret: onPathTarget('secret.delete', 'secret', 'name'),
} satisfies Record<string, AuditSpec>
