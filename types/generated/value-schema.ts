/* DO NOT EDIT: generated from types/schemas/value-schema.schema.json by `npm run generate`. */

export type TypeName = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object'

/**
 * The subset of JSON Schema (2020-12) that weir uses for the values tasks and flows exchange. Every keyword here has an exact meaning in weir's compatibility relation; any other keyword is rejected rather than silently ignored.
 */
export interface ValueSchema {
  $schema?: string
  $id?: string
  $comment?: string
  $ref?: string
  $defs?: {
    [k: string]: ValueSchema | undefined
  }
  title?: string
  description?: string
  default?: unknown
  examples?: unknown[]
  deprecated?: boolean
  readOnly?: boolean
  writeOnly?: boolean
  type?: TypeName | TypeName[]
  /**
   * @minItems 1
   */
  enum?: unknown[]
  const?: unknown
  properties?: {
    [k: string]: ValueSchema | undefined
  }
  required?: string[]
  additionalProperties?: boolean | ValueSchema
  minProperties?: number
  maxProperties?: number
  items?: ValueSchema
  /**
   * @minItems 1
   */
  prefixItems?: ValueSchema[]
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  contentEncoding?: string
  /**
   * @minItems 1
   */
  oneOf?: ValueSchema[]
  /**
   * @minItems 1
   */
  anyOf?: ValueSchema[]
}
