/**
 * Pieces the API's resource schemas share: references into
 * `#/components/schemas`, times, run statuses.
 */

import type { ValueSchema } from '../../types/index.js'
import { runStatuses } from '../store/records.js'
import type { Schema } from './route.js'

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })

export const timestamp = { type: ['string', 'null'], format: 'date-time' }
/** A time that is always known (a row's creation, an event's time). */
export const instant = { type: 'string', format: 'date-time' }
export const anyJson = {}
export const nameRef = {
  type: 'object',
  required: ['name', 'version'],
  properties: { name: { type: 'string' }, version: { type: 'integer' } },
}

/** Every run status (DESIGN §5). */
export const runStatus = { enum: [...runStatuses] } satisfies ValueSchema

export const nullableRunError = { oneOf: [{ type: 'null' }, ref('RunError')] }
