/**
 * The schema of a run as the API shows it (`#/components/schemas/Run`): its
 * status and times, what its current step waits for, and for a child run its
 * parent and root.
 */
import type { Schema } from './route.js'
import {
  anyJson,
  instant,
  nameRef,
  nullableRunError,
  runStatus,
  timestamp,
} from './schema-parts.js'

export const runSchema: Schema = {
  type: 'object',
  required: [
    'id',
    'flow',
    'process',
    'status',
    'input',
    'output',
    'error',
    'createdAt',
    'startedAt',
    'finishedAt',
    'currentStep',
    'waiting',
    'idempotencyKey',
    'parent',
    'root',
    'compensation',
  ],
  properties: {
    id: { type: 'string' },
    flow: nameRef,
    process: { type: 'string' },
    status: runStatus,
    input: anyJson,
    output: anyJson,
    error: nullableRunError,
    createdAt: instant,
    startedAt: timestamp,
    finishedAt: timestamp,
    currentStep: { type: ['string', 'null'] },
    waiting: {
      description:
        'what the current step waits for: a sleep until a time, an event until a deadline, the callback of an async step, a child run, or the child runs of parallel branches',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['kind', 'since', 'until'],
          properties: { kind: { const: 'sleep' }, since: timestamp, until: timestamp },
        },
        {
          type: 'object',
          required: ['kind', 'since', 'heartbeatDeadline', 'deadline'],
          properties: {
            kind: { const: 'callback' },
            since: timestamp,
            heartbeatDeadline: timestamp,
            deadline: timestamp,
          },
        },
        {
          type: 'object',
          required: ['kind', 'event', 'since', 'deadline'],
          properties: {
            kind: { const: 'event' },
            event: { type: 'string' },
            since: timestamp,
            deadline: timestamp,
          },
        },
        {
          type: 'object',
          required: ['kind', 'run', 'since'],
          properties: {
            kind: { const: 'child' },
            run: { type: 'string', description: 'the child run the flow step waits for' },
            since: timestamp,
          },
        },
        {
          type: 'object',
          required: ['kind', 'runs', 'since'],
          properties: {
            kind: { const: 'branches' },
            runs: {
              type: 'object',
              additionalProperties: { type: 'string' },
              description: "a parallel step's branches, each with the child run it waits for",
            },
            since: timestamp,
          },
        },
        {
          type: 'object',
          required: ['kind', 'total', 'started', 'running', 'since'],
          properties: {
            kind: { const: 'items' },
            total: { type: 'integer', description: "the for-each step's items" },
            started: { type: 'integer', description: 'how many of them have started' },
            running: {
              type: 'object',
              additionalProperties: { type: 'string' },
              description: 'the child runs going now, by item index',
            },
            since: timestamp,
          },
        },
      ],
    },
    idempotencyKey: { type: ['string', 'null'] },
    parent: {
      description:
        'for a child run, the run and step that started it (and the item or branch it is for); null for a run no step started',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['run', 'step'],
          properties: {
            run: { type: 'string' },
            step: { type: 'string' },
            index: { type: 'integer' },
            branch: { type: 'string' },
          },
        },
      ],
    },
    root: {
      type: 'string',
      description: 'the root of its tree: its own id for a run no step started',
    },
    compensation: {
      description:
        'a failed or cancelled run whose steps have compensations: whether they are running, all completed, or one failed; null when none ran',
      enum: ['running', 'completed', 'failed', null],
    },
  },
}
