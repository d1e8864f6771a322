/**
 * Traces of a real server, recorded by an in-memory exporter: an HTTP
 * request's span under the caller's traceparent; the run it starts under
 * it; its step runs under the run; their attempts under their step; a child
 * run under its parent's step; and the same trace going on after a restart,
 * from the traceparent stored with the run.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base'
import pino from 'pino'
import { afterAll, describe, expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { loadTracing } from '../../../runtime/tracing/load-tracing.js'
import { otelTracing } from '../../../runtime/tracing/otel-tracing.js'
import { runSpanId, stepSpanId } from '../../../runtime/tracing/trace-ids.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { untilStatus } from '../../fixtures/run-status.js'

const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }
const traceparent = `00-${caller.traceId}-${caller.spanId}-01`
const servers: WeirServer[] = []

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
})

async function start(dataDir: string) {
  const exporter = new InMemorySpanExporter()
  const config = resolveConfig({ dataDir, port: 0, workers: 1 }, {})
  const server = await WeirServer.start(config, {
    logger: pino({ level: 'silent' }),
    graceMs: 100,
    tracing: otelTracing({ exporter, immediate: true }),
  })
  servers.push(server)
  return { server, exporter }
}

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId
const byName = (spans: readonly ReadableSpan[], name: string) =>
  spans.filter((s) => s.name === name)

async function post(server: WeirServer, path: string, body: unknown) {
  return fetch(server.url + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.newAdminKey}`,
      'content-type': 'application/json',
      traceparent,
    },
    body: JSON.stringify(body),
  })
}

describe('traces', () => {
  test('request → run → steps → attempts, a child run under its parent’s step', async () => {
    const { server, exporter } = await start(mkdtempSync(join(tmpdir(), 'weir-trace-')))
    const { catalog } = server.context
    await publishEngineTasks(catalog)
    await catalog.publishFlow({
      name: 'inner',
      steps: [{ id: 'i', task: 'inc', input: { n: 1 } }],
    })
    await catalog.publishFlow({
      name: 'traced',
      steps: [
        {
          id: 'flaky',
          task: 'fail-below',
          input: { attempt: '${run.attempt}', until: 2 },
          retry: { maximumAttempts: 3, initialIntervalMs: 1 },
        },
        { id: 'sub', flow: 'inner', input: {} },
      ],
    })
    const response = await post(server, '/v1/flows/traced/runs?wait=10000', {})
    const run = (await response.json()) as { id: string; status: string }
    expect(run.status).toBe('completed')
    const spans = exporter.getFinishedSpans()
    expect(new Set(spans.map((s) => s.spanContext().traceId))).toEqual(new Set([caller.traceId]))
    const [http] = byName(spans, 'POST /v1/flows/{name}/runs')
    expect(parentOf(http as ReadableSpan)).toBe(caller.spanId)
    expect(http?.attributes['http.response.status_code']).toBe(200)
    const [runSpan] = byName(spans, 'run traced')
    expect(runSpan?.spanContext().spanId).toBe(runSpanId(run.id))
    expect(parentOf(runSpan as ReadableSpan)).toBe(http?.spanContext().spanId)
    const [flaky] = byName(spans, 'step flaky')
    expect(flaky?.spanContext().spanId).toBe(stepSpanId(run.id, 1))
    expect(parentOf(flaky as ReadableSpan)).toBe(runSpanId(run.id))
    const attempts = byName(spans, 'attempt flaky #1').concat(byName(spans, 'attempt flaky #2'))
    expect(attempts.map((a) => [parentOf(a), a.status.code])).toEqual([
      [stepSpanId(run.id, 1), 2],
      [stepSpanId(run.id, 1), 0],
    ])
    // The child run's span is under the parent's step run that started it.
    const [inner] = byName(spans, 'run inner')
    expect(parentOf(inner as ReadableSpan)).toBe(stepSpanId(run.id, 2))
    const [innerStep] = byName(spans, 'step i')
    expect(parentOf(innerStep as ReadableSpan)).toBe(inner?.spanContext().spanId)
  })

  test('the trace goes on after a restart, from the traceparent stored with the run', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'weir-trace-restart-'))
    const first = await start(dataDir)
    await publishEngineTasks(first.server.context.catalog)
    await first.server.context.catalog.publishFlow({
      name: 'slow',
      steps: [
        { id: 'a', task: 'inc', input: { n: 1 } },
        { id: 'nap', sleep: 1500 },
        { id: 'b', task: 'inc', input: { n: 2 } },
      ],
    })
    const started = (await (await post(first.server, '/v1/flows/slow/runs', {})).json()) as {
      id: string
    }
    await untilStatus(first.server.context.store, started.id, 'waiting')
    const [http] = byName(first.exporter.getFinishedSpans(), 'POST /v1/flows/{name}/runs')
    await first.server.stop()
    const second = await start(dataDir)
    await untilStatus(second.server.context.store, started.id, 'completed')
    const spans = second.exporter.getFinishedSpans()
    const [runSpan] = byName(spans, 'run slow')
    expect(runSpan?.spanContext().traceId).toBe(caller.traceId)
    expect(parentOf(runSpan as ReadableSpan)).toBe(http?.spanContext().spanId)
    const [b] = byName(spans, 'step b')
    expect([b?.spanContext().traceId, parentOf(b as ReadableSpan)]).toEqual([
      caller.traceId,
      runSpanId(started.id),
    ])
    const stored = await second.server.context.store.getRun(started.id)
    expect(stored?.traceparent).toBe(`00-${caller.traceId}-${http?.spanContext().spanId}-01`)
  })

  test('without OTEL_EXPORTER_OTLP_ENDPOINT there is no tracing', async () => {
    expect(resolveConfig({}, {}).tracing).toBe(false)
    expect(
      resolveConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).tracing,
    ).toBe(true)
    expect(await loadTracing(false)).toBeUndefined()
  })
})
