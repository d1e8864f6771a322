/**
 * `POST /v1/callbacks/{token}`: the outside world completes, fails or keeps
 * alive an async step. The token is the credential (no API key), and the answer
 * says only what was accepted, not the run's data.
 */
import type { ValueSchema } from '../../../types/index.js'
import { validateValue } from '../../../types/index.js'
import type { CallbackBody } from '../../engine/callbacks.js'
import { invalidDocument } from '../../errors.js'
import { audits } from '../audit-actions.js'
import { iso } from '../resources.js'
import { pathParam, type Route } from '../route.js'

const callbackSchema: ValueSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { enum: ['succeeded', 'failed', 'heartbeat'] },
    output: {},
    error: {
      type: 'object',
      required: ['message'],
      additionalProperties: false,
      properties: { message: { type: 'string', minLength: 1, maxLength: 10_000 }, details: {} },
    },
  },
}

function checkBody(body: unknown): CallbackBody {
  const problems = validateValue(callbackSchema, body)
  const failedWithoutError =
    problems.length === 0 &&
    (body as { status: string; error?: unknown }).status === 'failed' &&
    !(body as { error?: unknown }).error
  if (failedWithoutError)
    problems.push({
      pointer: '/error',
      code: 'invalid_document',
      message: 'a failed callback needs "error": { "message": … }',
    })
  if (problems.length > 0) throw invalidDocument('the callback', problems)
  return body as CallbackBody
}

export const callbackRoutes: Route[] = [
  {
    method: 'post',
    path: '/v1/callbacks/{token}',
    operationId: 'callback',
    audit: audits.callback,
    summary:
      'Complete ({ "status": "succeeded", "output": … }), fail ({ "status": "failed", "error": { "message": … } }) or keep alive ({ "status": "heartbeat" }) the async step that waits for this token. No API key: the token is the credential. 409 when the step no longer waits for it',
    tag: 'runs',
    role: undefined,
    parameters: [
      pathParam('token', 'the callback token of the step run', {
        type: 'string',
        minLength: 1,
        maxLength: 200,
      }),
    ],
    body: {
      contentType: 'application/json',
      description: 'what happened',
      schema: callbackSchema,
      limit: 'json',
    },
    responses: {
      200: {
        description: 'Accepted',
        schema: {
          type: 'object',
          required: ['accepted', 'status', 'step'],
          properties: {
            accepted: { const: true },
            status: { enum: ['succeeded', 'failed', 'heartbeat'] },
            step: { type: 'string' },
            heartbeatDeadline: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
    },
    async handle({ params, body }, { engine }) {
      const callback = checkBody(body)
      const { run, step } = await engine.callback(String(params.token), callback)
      const waiting = run.waiting?.kind === 'callback' ? run.waiting : undefined
      return {
        status: 200,
        body: {
          accepted: true,
          status: callback.status,
          step,
          ...(callback.status === 'heartbeat'
            ? { heartbeatDeadline: iso(waiting?.heartbeatDeadline) }
            : {}),
        },
      }
    },
  },
]
