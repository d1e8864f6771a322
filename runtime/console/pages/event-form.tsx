/**
 * The form of a step waiting for an event (a user task): one field per
 * property when the event's schema is an object of strings, numbers,
 * booleans and enums; else one JSON text area. Submitted, the fields are
 * turned back into a payload by the same schema, and the engine checks it
 * against the schema as the API does (its errors are shown on the page).
 */
import type { JsonValue, ValueSchema } from '../../../types/index.js'
import { Csrf, type Visitor } from './layout.js'

type Field =
  | { readonly name: string; readonly kind: 'string' | 'number' | 'integer' | 'boolean' }
  | { readonly name: string; readonly kind: 'enum'; readonly options: readonly JsonValue[] }

/** The fields of a flat object schema, or undefined when the form is a JSON text area. */
export function fieldsOf(schema: ValueSchema | undefined): Field[] | undefined {
  if (schema?.type !== 'object' || !schema.properties) return undefined
  const fields: Field[] = []
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!property) return undefined
    if (property.enum) fields.push({ name, kind: 'enum', options: property.enum as JsonValue[] })
    else if (
      property.type === 'string' ||
      property.type === 'number' ||
      property.type === 'integer' ||
      property.type === 'boolean'
    )
      fields.push({ name, kind: property.type })
    else return undefined
  }
  return fields
}

/** The payload a submitted form stands for; a problem when the JSON text area does not parse. */
export function payloadOf(
  schema: ValueSchema | undefined,
  form: Readonly<Record<string, string | undefined>>,
): { payload: JsonValue } | { problem: string } {
  const fields = fieldsOf(schema)
  if (!fields) {
    const text = form.payload?.trim() ?? ''
    if (text === '') return { payload: null }
    try {
      return { payload: JSON.parse(text) as JsonValue }
    } catch (error) {
      return { problem: `the payload is not JSON: ${(error as Error).message}` }
    }
  }
  const payload: Record<string, JsonValue> = {}
  for (const field of fields) {
    const raw = form[`field.${field.name}`]
    if (field.kind === 'boolean') payload[field.name] = raw === 'on'
    else if (raw === undefined || raw === '') continue
    else if (field.kind === 'string') payload[field.name] = raw
    else if (field.kind === 'enum')
      payload[field.name] = field.options.find((option) => JSON.stringify(option) === raw) ?? raw
    else payload[field.name] = Number(raw)
  }
  return { payload }
}

export function EventForm(props: {
  readonly runId: string
  readonly event: string
  readonly schema: ValueSchema | undefined
  readonly visitor: Visitor
}) {
  const fields = fieldsOf(props.schema)
  const required = new Set(props.schema?.required ?? [])
  return (
    <form
      class="event"
      method="post"
      action={`/console/runs/${props.runId}/events/${encodeURIComponent(props.event)}`}
    >
      <Csrf visitor={props.visitor} />
      {fields ? (
        fields.map((field) => {
          const id = `field-${field.name}`
          return (
            <p>
              <label for={id}>{`${field.name}${required.has(field.name) ? ' *' : ''} `}</label>
              {field.kind === 'boolean' ? (
                <input id={id} type="checkbox" name={`field.${field.name}`} />
              ) : field.kind === 'enum' ? (
                <select id={id} name={`field.${field.name}`}>
                  {field.options.map((option) => (
                    <option value={JSON.stringify(option)}>{JSON.stringify(option)}</option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  name={`field.${field.name}`}
                  type={field.kind === 'string' ? 'text' : 'number'}
                  step={field.kind === 'number' ? 'any' : undefined}
                />
              )}
            </p>
          )
        })
      ) : (
        <p>
          <label for="event-payload">payload (JSON)</label>
          <textarea id="event-payload" name="payload" />
        </p>
      )}
      <button type="submit">{`Deliver ${props.event}`}</button>
    </form>
  )
}
