/**
 * Tracing over the OpenTelemetry SDK: spans are started with their recorded
 * start time and parent, and ended at once with their end time, so that
 * their ids can be the ones weir derives (an id generator hands the SDK the
 * id of the span being recorded). Exported in batches by the exporter given
 * (OTLP over HTTP when the server traces; an in-memory one in tests).
 * Loaded only when tracing is on (load-tracing.ts).
 */
import { randomBytes } from 'node:crypto'
import {
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import type { EndedSpan, Tracing } from './tracing.js'

const random = (bytes: number) => randomBytes(bytes).toString('hex')

/** Gives the SDK the ids of the span being recorded; random ones otherwise. */
class RecordedIds implements IdGenerator {
  traceId: string | undefined
  spanId: string | undefined
  generateTraceId(): string {
    return this.traceId ?? random(16)
  }
  generateSpanId(): string {
    return this.spanId ?? random(8)
  }
}

export interface OtelTracingOptions {
  readonly exporter: SpanExporter
  readonly serviceName?: string
  /** Export each span as it ends (tests) instead of in batches. */
  readonly immediate?: boolean
}

export function otelTracing(options: OtelTracingOptions): Tracing {
  const ids = new RecordedIds()
  const processor = options.immediate
    ? new SimpleSpanProcessor(options.exporter)
    : new BatchSpanProcessor(options.exporter)
  const provider = new BasicTracerProvider({
    idGenerator: ids,
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'weir' }),
    spanProcessors: [processor],
  })
  const tracer = provider.getTracer('weir')
  return {
    record(span: EndedSpan): void {
      const parent =
        span.parentSpanId === undefined
          ? ROOT_CONTEXT
          : trace.setSpanContext(context.active(), {
              traceId: span.traceId,
              spanId: span.parentSpanId,
              traceFlags: TraceFlags.SAMPLED,
              isRemote: true,
            })
      ids.traceId = span.traceId
      ids.spanId = span.spanId
      let started: Span
      try {
        started = tracer.startSpan(
          span.name,
          {
            kind: span.kind === 'server' ? SpanKind.SERVER : SpanKind.INTERNAL,
            startTime: span.start,
            attributes: span.attributes,
          },
          parent,
        )
      } finally {
        ids.traceId = undefined
        ids.spanId = undefined
      }
      if (span.error !== undefined)
        started.setStatus({ code: SpanStatusCode.ERROR, message: span.error })
      started.end(span.end)
    },
    newSpanId: () => random(8),
    newTraceId: () => random(16),
    async shutdown(): Promise<void> {
      await provider.shutdown()
    },
  }
}
