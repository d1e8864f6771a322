/**
 * The ajv instance that holds weir's document schemas (flow, task, value
 * schema), compiled once per process and shared. Browser-safe: ajv and the
 * JSON schema files only.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import flowSchema from '../schemas/flow.schema.json' with { type: 'json' }
import taskSchema from '../schemas/task.schema.json' with { type: 'json' }
import valueSchemaSchema from '../schemas/value-schema.schema.json' with { type: 'json' }

export const schemaIds = {
  flow: flowSchema.$id,
  task: taskSchema.$id,
  valueSchema: valueSchemaSchema.$id,
} as const

/** Where each schema object sits, as an absolute URI with a JSON Pointer fragment. */
const locations = new WeakMap<object, string>()

function indexLocations(node: unknown, uri: string): void {
  if (node === null || typeof node !== 'object') return
  locations.set(node, uri)
  for (const [key, child] of Object.entries(node)) {
    indexLocations(child, `${uri}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`)
  }
}

let instance: Ajv2020 | undefined

/** The shared ajv instance with weir's document schemas registered. */
export function documentAjv(): Ajv2020 {
  if (instance) return instance
  const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, validateFormats: false })
  ajv.addKeyword({ keyword: 'tsType', schemaType: 'string' })
  ajv.addKeyword({ keyword: 'errorMessages', schemaType: 'object' })
  for (const schema of [valueSchemaSchema, taskSchema, flowSchema]) {
    ajv.addSchema(schema)
    indexLocations(schema, `${schema.$id}#`)
  }
  instance = ajv
  return ajv
}

/** The compiled validator of a registered schema or of any subschema of one (`id#/$defs/step`). */
export function validatorAt(uri: string): ValidateFunction {
  const validate = documentAjv().getSchema(uri)
  if (!validate) throw new Error(`no schema at ${uri}`)
  return validate
}

/** The absolute location of a schema object taken from one of weir's document schemas. */
export function locationOf(schema: object): string | undefined {
  documentAjv()
  return locations.get(schema)
}
