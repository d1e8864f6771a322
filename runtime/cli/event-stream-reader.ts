/**
 * Reads a `text/event-stream` body as the HTML standard's server-sent events
 * parser does: lines ended by CR, LF or CRLF; `event:`, `data:` (several
 * join with newlines) and `id:` fields; comments (a heartbeat) skipped; a
 * blank line dispatches the message. No dependency: the CLI needs only this.
 */

/** A message as the stream sent it; `id` is the last id the stream set (the standard's last event ID). */
export interface ServerSentEvent {
  /** `message` unless the server named another type. */
  readonly event: string
  readonly id: string | undefined
  readonly data: string
}

/** Splits off the complete lines of `buffer`: those ended by CR, LF or CRLF, and the rest. */
function takeLines(buffer: string, done: boolean): { lines: string[]; rest: string } {
  const lines: string[] = []
  let start = 0
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i]
    if (c !== '\n' && c !== '\r') continue
    // A CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
    if (c === '\r' && i === buffer.length - 1 && !done) break
    lines.push(buffer.slice(start, i))
    if (c === '\r' && buffer[i + 1] === '\n') i++
    start = i + 1
  }
  return { lines, rest: buffer.slice(start) }
}

/** The messages of an event stream, until it ends (or the caller stops reading, which cancels it). */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined
  try {
    for (;;) {
      const { done, value } = await reader.read()
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true })
      const { lines, rest } = takeLines(buffer, done)
      buffer = rest
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', id, data: data.join('\n') }
          event = ''
          data = []
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const raw = colon < 0 ? '' : line.slice(colon + 1)
        const text = raw.startsWith(' ') ? raw.slice(1) : raw
        if (field === 'event') event = text
        else if (field === 'data') data.push(text)
        else if (field === 'id' && !text.includes('\0')) id = text
      }
      // A message without its blank line at the end of the stream is dropped, as the standard says.
      if (done) return
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
}
