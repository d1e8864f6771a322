/* DO NOT EDIT: generated from types/schemas/task.schema.json by `npm run generate`. */
import type {ValueSchema} from './value-schema.js'

export type TaskName = string

/**
 * A task: one exported function of a WebAssembly component, with the JSON Schemas of its input, output and error payload.
 */
export interface TaskDocument {
  $schema?: string
  name: TaskName
  /**
   * Assigned by the server on publish: 1, 2, 3… per name.
   */
  version?: number
  description?: string
  /**
   * The component's content address, sha256:<64 hex digits>. Required to publish; absent in an unbuilt task folder.
   */
  component?: string
  /**
   * The exported function: `run`, or `iface#func` for a function inside an exported interface.
   */
  export?: string
  input?: ValueSchema
  output?: ValueSchema
  /**
   * Schema of the payload of a task error (the `err` of a WIT `result`).
   */
  error?: ValueSchema
  /**
   * For async tasks: the schema of what the component returns, the request it sends out (derived from its WIT result when absent). `output` is then the schema of the output its callback delivers.
   */
  sends?: ValueSchema
  mode?: 'sync' | 'async'
  /**
   * Timeout of one attempt in milliseconds; 0 disables it (and is warned about).
   */
  timeoutMs?: number
  limits?: TaskLimits
  callback?: CallbackPolicy
  capabilities?: TaskCapabilities
}
export interface TaskLimits {
  memoryMb?: number
}
/**
 * For async tasks: how long the step waits for its callback.
 */
export interface CallbackPolicy {
  /**
   * Fail-safe: the wait ends after this long whatever keep-alives arrive.
   */
  timeoutMs?: number
  /**
   * The wait fails when no keep-alive arrives for this long.
   */
  heartbeatTimeoutMs?: number
}
/**
 * What this task version may do beyond computing. Absent: the task is sealed.
 */
export interface TaskCapabilities {
  http?: HttpCapability
  env?: EnvCapability
}
/**
 * Outbound HTTP (wasi:http/outgoing-handler, fetch in JavaScript tasks) to the origins listed.
 */
export interface HttpCapability {
  /**
   * Origins a request may go to: scheme://host[:port], with a *. host prefix (any subdomain) and a :* port wildcard, e.g. https://api.stripe.com, https://*.example.com, http://127.0.0.1:*.
   *
   * @minItems 1
   * @maxItems 100
   */
  allow: string[]
}
/**
 * Environment variables the task sees (wasi:cli/environment, wasi:config/store): a literal value, or a secret resolved at each attempt.
 */
export interface EnvCapability {
  [k: string]: string | SecretRef | undefined
}
export interface SecretRef {
  secret: string
}
