/**
 * What tracing costs: the HTTP benchmark's server without tracing and with
 * it (OTLP over HTTP to a collector stand-in on loopback that answers every
 * export with 200 and counts the spans' bytes), in interleaved rounds.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { benchHttp } from './http.js'

export async function benchTracing(rounds = 2, starts = 3_000): Promise<string[]> {
  let exports = 0
  let bytes = 0
  const collector = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    request.on('end', () => {
      exports++
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
  const results: { tracing: boolean; lines: string[] }[] = []
  for (let round = 0; round < rounds; round++) {
    for (const tracing of [false, true]) {
      const env: Record<string, string> = tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } : {}
      results.push({ tracing, lines: await benchHttp(50, starts, undefined, env) })
    }
  }
  collector.close()
  const lines = ['| round | tracing | measure | value |', '|---|---|---|---|']
  results.forEach((result, i) => {
    for (const line of result.lines.slice(2)) {
      const [, measure = '', value = ''] = line.split('|').map((c) => c.trim())
      lines.push(
        `| ${Math.floor(i / 2) + 1} | ${result.tracing ? 'on' : 'off'} | ${measure} | ${value} |`,
      )
    }
  })
  lines.push(
    `| | | OTLP exports received (tracing on) | ${exports} (${(bytes / 2 ** 20).toFixed(1)} MiB) |`,
  )
  return lines
}
