/**
 * A JSON value on a page: pretty-printed, escaped, and cut at 4 KiB with a
 * link to the whole value ("show all"), so a 1 MiB output does not make its
 * page slow to send or to read.
 */
import type { JsonValue } from '../../../types/index.js'

/** How much of a value a page shows before "show all". */
export const shownBytes = 4096

export function ValueView(props: { readonly value: JsonValue | undefined; readonly all?: string }) {
  if (props.value === undefined) return <span class="muted">—</span>
  const text = JSON.stringify(props.value, null, 2) ?? 'null'
  if (text.length <= shownBytes) return <pre>{text}</pre>
  return (
    <div>
      <pre>{`${text.slice(0, shownBytes)}\n…`}</pre>
      <span class="muted">
        {`${Buffer.byteLength(text)} bytes; `}
        {props.all ? <a href={props.all}>show all</a> : 'cut here'}
      </span>
    </div>
  )
}

/** Text (a task's log) cut at 4 KiB the same way. */
export function TextView(props: { readonly text: string; readonly all?: string }) {
  if (props.text.length <= shownBytes) return <pre>{props.text}</pre>
  return (
    <div>
      <pre>{`${props.text.slice(0, shownBytes)}\n…`}</pre>
      <span class="muted">
        {`${Buffer.byteLength(props.text)} bytes; `}
        {props.all ? <a href={props.all}>show all</a> : 'cut here'}
      </span>
    </div>
  )
}

/** A run or step status as a badge. */
export const Status = ({ status }: { readonly status: string }) => (
  <span class={`status ${status}`}>{status}</span>
)

/** An epoch time as ISO 8601 (— when absent). */
export const time = (ms: number | undefined): string =>
  ms === undefined ? '—' : new Date(ms).toISOString()

/** A duration between two times (— when either is absent). */
export const duration = (from: number | undefined, to: number | undefined): string =>
  from === undefined || to === undefined ? '—' : `${to - from} ms`
