/**
 * JSON Schemas of the API's resources and parameters, used for validating
 * parameters and for the OpenAPI document (`#/components/schemas/…`).
 */
import type { ValueSchema } from '../../types/index.js'
import { type EventType, refusalCodes } from '../store/records.js'
import { auditEntrySchema } from './audit-schema.js'
import type { Schema } from './route.js'
import { runSchema } from './run-schema.js'
import {
  anyJson,
  instant,
  nameRef,
  nullableRunError,
  ref,
  runStatus,
  timestamp,
} from './schema-parts.js'

export { ref, runStatus }

export const parameterSchemas = {
  name: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: 64 },
  version: { type: 'integer', minimum: 1, maximum: 2147483647 },
  runId: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' },
  sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  keyId: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  eventName: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', maxLength: 128 },
  process: { type: 'string', maxLength: 128 },
  limit: { type: 'integer', minimum: 1, maximum: 500 },
  cursor: { type: 'string', maxLength: 200 },
} satisfies Record<string, ValueSchema>

/** Every event type a run's history can hold (a record, so the compiler checks it is complete). */
const eventTypes: Record<EventType, true> = {
  run_queued: true,
  run_started: true,
  step_started: true,
  step_waiting: true,
  step_succeeded: true,
  step_failed: true,
  step_timed_out: true,
  retry_scheduled: true,
  branch_taken: true,
  error_routed: true,
  run_completed: true,
  run_failed: true,
  run_cancelled: true,
  run_terminated: true,
  run_timed_out: true,
  run_paused: true,
  run_resumed: true,
  run_retried: true,
  compensation_started: true,
}

const runError = {
  type: 'object',
  required: ['step', 'task', 'kind', 'message', 'attempt'],
  properties: {
    step: { type: 'string' },
    task: { type: 'string' },
    kind: {
      enum: [
        'task_error',
        'trap',
        'timeout',
        'input_invalid',
        'output_invalid',
        'limit_exceeded',
        'cancelled',
        'child_failed',
        'internal',
      ],
    },
    message: { type: 'string' },
    details: anyJson,
    attempt: { type: 'integer' },
  },
}

export const resourceSchemas: Record<string, Schema> = {
  Problem: {
    type: 'object',
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string', format: 'uri' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['message'],
          properties: {
            pointer: { type: 'string', description: 'JSON Pointer into the request body' },
            parameter: { type: 'string', description: 'the query, path or header parameter' },
            code: { type: 'string' },
            message: { type: 'string' },
          },
        },
      },
    },
  },
  RunError: runError,
  Run: runSchema,
  StepRun: {
    type: 'object',
    required: ['seq', 'stepId', 'status', 'task', 'attempts'],
    properties: {
      seq: { type: 'integer' },
      stepId: { type: 'string' },
      status: {
        enum: ['running', 'waiting', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'],
      },
      task: { oneOf: [{ type: 'null' }, nameRef] },
      input: anyJson,
      output: anyJson,
      error: nullableRunError,
      startedAt: timestamp,
      finishedAt: timestamp,
      callback: {
        type: 'object',
        description:
          'async steps: the token that completes the step and the URL to POST to; both null unless the key is an admin or operator key (the token is the credential that completes or fails the step)',
        required: ['token', 'url'],
        properties: { token: { type: ['string', 'null'] }, url: { type: ['string', 'null'] } },
      },
      compensates: {
        type: 'integer',
        description: "a compensation's step run: the seq of the step run it undoes",
      },
      attempts: {
        type: 'array',
        items: {
          type: 'object',
          required: ['number', 'status', 'log'],
          properties: {
            number: { type: 'integer' },
            status: { enum: ['succeeded', 'failed'] },
            input: anyJson,
            output: anyJson,
            error: nullableRunError,
            log: { type: 'string', description: "the attempt's stdout and stderr (bounded)" },
            startedAt: timestamp,
            finishedAt: timestamp,
          },
        },
      },
    },
  },
  Event: {
    type: 'object',
    required: ['seq', 'type', 'at', 'data'],
    properties: {
      seq: { type: 'integer' },
      type: { enum: Object.keys(eventTypes) },
      at: instant,
      stepId: { type: 'string' },
      data: anyJson,
    },
  },
  Task: {
    type: 'object',
    required: [
      'name',
      'version',
      'component',
      'signature',
      'createdAt',
      'capabilities',
      'publishedBy',
      'document',
    ],
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      component: { type: 'string', description: 'sha256:<hex>' },
      signature: { type: 'string', description: 'the WIT signature of the exported function' },
      export: { type: 'string' },
      createdAt: instant,
      capabilities: {
        description: 'what the version may do beyond computing ({} = sealed)',
        $ref: 'https://weir.dev/schemas/task.schema.json#/$defs/capabilities',
      },
      publishedBy: {
        type: ['string', 'null'],
        description:
          'the id of the API key that published this version and granted its capabilities',
      },
      document: { $ref: 'https://weir.dev/schemas/task.schema.json' },
    },
  },
  Flow: {
    type: 'object',
    required: ['name', 'version', 'process', 'createdAt', 'document', 'outputSchema', 'nesting'],
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      process: { type: 'string' },
      createdAt: instant,
      document: { $ref: 'https://weir.dev/schemas/flow.schema.json' },
      outputSchema: {
        $ref: 'https://weir.dev/schemas/value-schema.schema.json',
        description:
          "the schema of its runs' output, computed by the checker at publish (a `flow` step of another flow has this output type)",
      },
      nesting: {
        type: 'integer',
        description: 'how many levels of child runs its runs can start below themselves',
      },
    },
  },
  StartedRun: {
    description:
      'the answer to a start that started a run (or found the run an Idempotency-Key started)',
    allOf: [
      ref('Run'),
      {
        type: 'object',
        required: ['started'],
        properties: {
          started: { const: true, description: 'true: a run (false: a refused start)' },
        },
      },
    ],
  },
  RefusedStart: {
    type: 'object',
    required: ['started', 'reason', 'code', 'trigger', 'id', 'flow', 'input', 'createdAt'],
    properties: {
      started: { const: false },
      reason: { type: 'string' },
      code: {
        enum: [...refusalCodes],
        description:
          'guard_false: the guard was false; guard_error: it could not be evaluated; expression_limit: it passed its cost budget',
      },
      trigger: {
        type: 'string',
        description: 'the refusing trigger, as a JSON Pointer into the flow',
      },
      id: { type: 'string' },
      flow: nameRef,
      input: anyJson,
      createdAt: instant,
    },
  },
  Schedule: {
    type: 'object',
    required: [
      'id',
      'flow',
      'source',
      'trigger',
      'cron',
      'timezone',
      'input',
      'paused',
      'nextFireAt',
      'lastFireAt',
    ],
    properties: {
      id: { type: 'string' },
      flow: { type: 'string' },
      source: {
        enum: ['flow', 'api'],
        description: "a flow's cron trigger, or made through this API",
      },
      trigger: { type: ['string', 'null'], description: "the flow's trigger, as a JSON Pointer" },
      cron: { type: 'string' },
      timezone: { type: 'string' },
      input: anyJson,
      paused: { type: 'boolean' },
      nextFireAt: timestamp,
      lastFireAt: timestamp,
      createdAt: timestamp,
      updatedAt: timestamp,
    },
  },
  Secret: {
    type: 'object',
    required: ['name', 'createdAt', 'updatedAt'],
    properties: { name: { type: 'string' }, createdAt: instant, updatedAt: instant },
  },
  Process: {
    type: 'object',
    required: ['process', 'flows'],
    properties: {
      process: { type: 'string' },
      flows: { type: 'integer', description: 'flows (latest versions) in this process itself' },
    },
  },
  Node: {
    type: 'object',
    required: ['id', 'host', 'pid', 'startedAt', 'heartbeatAt', 'runs', 'self'],
    properties: {
      id: { type: 'string' },
      host: { type: 'string' },
      pid: { type: 'integer' },
      startedAt: instant,
      heartbeatAt: instant,
      runs: { type: 'integer', description: 'active runs the node owns' },
      self: { type: 'boolean', description: 'whether it is the node that answered' },
    },
  },
  AuditEntry: auditEntrySchema,
  ApiKey: {
    type: 'object',
    required: ['id', 'name', 'role', 'createdAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      role: { enum: ['admin', 'publisher', 'operator', 'viewer'] },
      createdAt: instant,
      key: { type: 'string', description: 'the whole key; only in the answer that creates it' },
    },
  },
}

export const itemsOf = (name: string): Schema => ({
  type: 'object',
  required: ['items'],
  properties: { items: { type: 'array', items: ref(name) } },
})

export const pageOf = (name: string): Schema => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: {
    items: { type: 'array', items: ref(name) },
    nextCursor: { type: ['string', 'null'] },
  },
})

export const problemList = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      pointer: { type: 'string' },
      code: { type: 'string' },
      message: { type: 'string' },
    },
  },
}
