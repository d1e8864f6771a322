/**
 * What weir's code asks of tracing: spans recorded once they have ended,
 * with the ids, parent, times and attributes weir gives them (a run's and a
 * step's span ids are derived from the run — trace-ids.ts — so any node can
 * record them). Without `OTEL_EXPORTER_OTLP_ENDPOINT` there is no Tracing at
 * all (undefined): the engine and the HTTP app then skip every tracing call,
 * and the OpenTelemetry SDK is never loaded.
 */

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>

export interface EndedSpan {
  readonly name: string
  readonly kind: 'internal' | 'server'
  readonly traceId: string
  /** Undefined: the tracing implementation picks one. */
  readonly spanId?: string
  /** Undefined: the span is the root of its trace. */
  readonly parentSpanId?: string
  /** Epoch milliseconds. */
  readonly start: number
  readonly end: number
  readonly attributes: SpanAttributes
  /** The failure the span ended with, if it failed. */
  readonly error?: string
}

export interface Tracing {
  /** Records a span that has ended. */
  record(span: EndedSpan): void
  /** A new random span id (16 hex digits). */
  newSpanId(): string
  /** A new random trace id (32 hex digits). */
  newTraceId(): string
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>
}
