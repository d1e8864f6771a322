/**
 * The server the HTTP benchmark talks to, in its own process: a weir server on
 * an ephemeral port with the `inc` WAT task and 3- and 5-step flows published. It
 * prints one JSON line `{ url, token }` and runs until it is sent SIGTERM.
 * Its metrics are on (as `weir serve`'s) unless WEIR_BENCH_METRICS=off.
 *
 * Usage: http-server.ts <dataDir> [dbUrl]
 */
import pino from 'pino'
import { resolveConfig } from '../runtime/config.js'
import { WeirServer } from '../runtime/server/weir-server.js'
import { publishChain, publishThreeStepFlow } from './three-step-flow.js'

const [dataDir = '', dbUrl] = process.argv.slice(2)
const options = dbUrl ? { dbUrl, secretKey: 'a'.repeat(64) } : {}
// Traced when the bench sets OTEL_EXPORTER_OTLP_ENDPOINT for this process (`npm run bench -- tracing`).
const otel = process.env.OTEL_EXPORTER_OTLP_ENDPOINT
const env = {
  ...(otel ? { OTEL_EXPORTER_OTLP_ENDPOINT: otel } : {}),
  // `strict` when the workflows benchmark measures that durability.
  ...(process.env.WEIR_DURABILITY ? { WEIR_DURABILITY: process.env.WEIR_DURABILITY } : {}),
}
const server = await WeirServer.start(resolveConfig({ dataDir, port: 0, ...options }, env), {
  // Logged as `weir serve` does by default (info: a line per run state change), into /dev/null.
  logger: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })),
  // Metrics are on, as in `weir serve`; WEIR_BENCH_METRICS=off measures the server without them.
  metrics: process.env.WEIR_BENCH_METRICS !== 'off',
})
const { catalog } = server.context
await publishThreeStepFlow(catalog)
await publishChain(catalog, 'five', 5)
console.log(JSON.stringify({ url: server.url, token: server.newAdminKey }))
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)))
