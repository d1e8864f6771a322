/**
 * A route of the API as data: method, path, who may call it, its parameters,
 * body and responses (all as JSON Schemas), and its handler. The Hono app and
 * the OpenAPI document are both built from the one table of these, so the two
 * cannot disagree.
 */

import type { JsonValue, ValueSchema } from '../../types/index.js'
import type { Catalog } from '../catalog/catalog.js'
import type { Engine } from '../engine/engine.js'
import type { Scheduler } from '../schedules/scheduler.js'
import type { Secrets } from '../secrets/secrets.js'
import type { ApiKeyRecord, Role } from '../store/records.js'
import type { Store } from '../store/store.js'
import type { ApiKeys } from './api-keys.js'
import type { AuditSpec } from './audit-spec.js'

export type Method = 'get' | 'post' | 'put' | 'delete'

/** A JSON Schema as the OpenAPI document shows it. */
export type Schema = Readonly<Record<string, unknown>> | ValueSchema

export interface ParameterSpec {
  readonly name: string
  readonly in: 'path' | 'query' | 'header'
  readonly description: string
  readonly required?: boolean
  readonly schema: ValueSchema
}

export interface BodySpec {
  readonly contentType: 'application/json' | 'application/wasm'
  readonly description: string
  readonly schema: Schema
  /** Which size limit applies. */
  readonly limit: 'json' | 'component'
  /** The value an empty body stands for; without it an empty body is rejected. */
  readonly whenEmpty?: JsonValue
}

export interface ResponseSpec {
  readonly description: string
  readonly schema?: Schema
  /** The answer may be a `text/event-stream` instead (`?follow=1`): what its messages are. */
  readonly stream?: string
}

export interface RouteRequest {
  /** Path, query and header parameters, parsed and validated against their specs. */
  readonly params: Readonly<Record<string, JsonValue | undefined>>
  /** The parsed JSON body (JSON routes). */
  readonly body: unknown
  /** The raw body (binary routes). */
  readonly bytes: Uint8Array | undefined
  /** The authenticated key; undefined on open routes. */
  readonly key: ApiKeyRecord | undefined
  /**
   * Where clients reach weir, for the few absolute URLs given to third parties
   * (callback URLs): WEIR_PUBLIC_URL when set, else the request's origin.
   * `Location` headers stay relative and do not use it.
   */
  readonly baseUrl: string
  /** The request's W3C trace context (its span's when tracing is on, else the caller's header). */
  readonly traceparent?: string | undefined
}

/** A server-sent event: its type (`event:`; absent, a plain message), its id, and its data. */
export interface StreamMessage {
  readonly event?: string
  readonly id?: string
  /** One line of text (JSON). */
  readonly data: string
}

/**
 * The messages of a `text/event-stream` answer, produced until they end (the
 * server closes the stream) or `signal` aborts (the client went away).
 */
export type EventStreamProducer = (signal: AbortSignal) => AsyncIterable<StreamMessage>

export interface RouteResponse {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Answers a `text/event-stream` of these messages (status 200) instead of `body`. */
  readonly stream?: EventStreamProducer
}

/** What the handlers work with. */
export interface AppContext {
  readonly store: Store
  readonly catalog: Catalog
  readonly engine: Engine
  readonly apiKeys: ApiKeys
  readonly scheduler: Scheduler
  readonly secrets: Secrets
  readonly version: string
}

export interface Route {
  readonly method: Method
  /** OpenAPI form: `/v1/runs/{id}`. */
  readonly path: string
  readonly operationId: string
  readonly summary: string
  readonly tag: string
  /** The least role that may call it; undefined for open routes. */
  readonly role: Role | undefined
  readonly parameters?: readonly ParameterSpec[]
  readonly body?: BodySpec
  /** Success responses by status; error responses are added for every route. */
  readonly responses: Readonly<Record<number, ResponseSpec>>
  readonly handle: (request: RouteRequest, context: AppContext) => Promise<RouteResponse>
  /** Mutating routes: how each call is recorded in the audit log (refused calls too). */
  readonly audit?: AuditSpec
}

/** A string parameter (path or header); the name reads as the placeholder. */
export const pathParam = (
  name: string,
  description: string,
  schema: ValueSchema,
): ParameterSpec => ({
  name,
  in: 'path',
  description,
  required: true,
  schema,
})

export const queryParam = (
  name: string,
  description: string,
  schema: ValueSchema,
): ParameterSpec => ({
  name,
  in: 'query',
  description,
  schema,
})
