/**
 * Server-sent events (`text/event-stream`) over Hono's streamSSE: a route's
 * messages written as they come, an SSE comment every `heartbeatMs` so that
 * proxies keep an idle connection open, the producer stopped (its signal
 * aborted) when the client goes away, and a slot of the process's stream
 * bound held until the stream is closed. A failure after the answer began
 * cannot change its status: it ends the stream with an `error` message whose
 * data is the problem+json body.
 */
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { problemOf } from './problem.js'
import type { EventStreamProducer } from './route.js'

/** Milliseconds between two heartbeat comments, unless told otherwise. */
export const defaultHeartbeatMs = 15_000

/** The comment a stream sends when it has been quiet for a while. */
export const heartbeatComment = ': keep-alive\n\n'

export interface EventStreamOptions {
  readonly heartbeatMs: number
  /** Gives the stream's slot back; called once the stream is closed. */
  readonly release: () => void
  /** Called with a failure that ended the stream early (before its `error` message). */
  readonly onError?: (error: unknown) => void
}

/** The streaming answer: `produce`'s messages, then the end of the stream. */
export function eventStream(
  c: Context,
  produce: EventStreamProducer,
  options: EventStreamOptions,
): Response {
  return streamSSE(c, async (stream) => {
    const stop = new AbortController()
    const abort = () => stop.abort()
    stream.onAbort(abort)
    c.req.raw.signal.addEventListener('abort', abort, { once: true })
    // A write waiting for a slow reader may never settle once the reader is gone: race it with the abort.
    const stopped = new Promise<void>((resolve) =>
      stop.signal.addEventListener('abort', () => resolve(), { once: true }),
    )
    const heartbeat = setInterval(() => void stream.write(heartbeatComment), options.heartbeatMs)
    try {
      for await (const message of produce(stop.signal)) {
        if (stop.signal.aborted) break
        await Promise.race([stream.writeSSE(message), stopped])
        if (stop.signal.aborted) break
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        options.onError?.(error)
        await stream.writeSSE({ event: 'error', data: JSON.stringify(problemOf(error).body) })
      }
    } finally {
      clearInterval(heartbeat)
      c.req.raw.signal.removeEventListener('abort', abort)
      stop.abort()
      options.release()
    }
  })
}
