/**
 * Tracing is on when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: only then are the
 * OpenTelemetry SDK and its OTLP exporter loaded (the exporter reads the
 * standard variables itself: endpoint, headers, timeout, service name). Off, there is no
 * Tracing object and nothing on a step's path calls one.
 */
import type { Tracing } from './tracing.js'

export async function loadTracing(on: boolean, serviceName = 'weir'): Promise<Tracing | undefined> {
  if (!on) return undefined
  const [{ otelTracing }, { OTLPTraceExporter }] = await Promise.all([
    import('./otel-tracing.js'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ])
  return otelTracing({
    exporter: new OTLPTraceExporter(),
    serviceName,
  })
}
