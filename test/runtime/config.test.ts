/** Configuration: an explicit option wins over the environment, which wins over the default. */
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { expect, test } from 'vitest'
import { resolveConfig } from '../../runtime/config.js'

test('defaults', () => {
  expect(resolveConfig({}, {})).toEqual({
    host: '127.0.0.1',
    port: 8787,
    dataDir: resolve('.weir'),
    dbUrl: `file:${resolve('.weir', 'weir.db')}`,
    durability: 'normal',
    workers: availableParallelism(),
    token: undefined,
    url: 'http://127.0.0.1:8787',
    publicUrl: undefined,
    logLevel: 'info',
    maxComponentMb: 32,
    maxJsonKb: 1024,
    maxDepth: 64,
    maxValueKb: 1024,
    maxExpressionCost: 250_000,
    maxActiveRuns: 20_000,
    maxWaiters: 2_000,
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    maxHttpResponseMb: 16,
    extraCa: undefined,
    secretKey: undefined,
    nodeId: undefined,
    leaseMs: 10_000,
    leaseRenewMs: 2_000,
    tracing: false,
    retention: '30d',
    auditRetention: '365d',
    metricsPublic: false,
  })
})

test('environment variables override the defaults, and options override them', () => {
  const env = {
    WEIR_HOST: '0.0.0.0',
    WEIR_PORT: '9000',
    WEIR_DATA_DIR: '/srv/weir',
    WEIR_DURABILITY: 'strict',
    WEIR_WORKERS: '3',
    WEIR_TOKEN: 'weir_x',
    WEIR_URL: 'http://weir.internal:9000/',
    WEIR_PUBLIC_URL: 'https://weir.example.com/',
    WEIR_LOG_LEVEL: 'debug',
    WEIR_MAX_COMPONENT_MB: '64',
    WEIR_MAX_JSON_KB: '256',
    WEIR_MAX_DEPTH: '32',
    WEIR_MAX_VALUE_KB: '512',
    WEIR_MAX_EXPRESSION_COST: '5000',
    WEIR_MAX_ACTIVE_RUNS: '100',
    WEIR_MAX_WAITERS: '10',
    WEIR_HEADERS_TIMEOUT_MS: '2000',
    WEIR_REQUEST_TIMEOUT_MS: '4000',
    WEIR_MAX_HTTP_RESPONSE_MB: '2',
    WEIR_EXTRA_CA: '/etc/weir/ca.pem',
    WEIR_SECRET_KEY: 'k'.repeat(43),
    WEIR_NODE_ID: 'node-east-1',
    WEIR_LEASE_MS: '30000',
    WEIR_LEASE_RENEW_MS: '5000',
    WEIR_RETENTION: '7d',
    WEIR_AUDIT_RETENTION: 'off',
    WEIR_METRICS_PUBLIC: '1',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
  }
  expect(resolveConfig({}, env)).toEqual({
    host: '0.0.0.0',
    port: 9000,
    dataDir: '/srv/weir',
    dbUrl: 'file:/srv/weir/weir.db',
    durability: 'strict',
    workers: 3,
    token: 'weir_x',
    url: 'http://weir.internal:9000',
    publicUrl: 'https://weir.example.com',
    logLevel: 'debug',
    maxComponentMb: 64,
    maxJsonKb: 256,
    maxDepth: 32,
    maxValueKb: 512,
    maxExpressionCost: 5000,
    maxActiveRuns: 100,
    maxWaiters: 10,
    headersTimeoutMs: 2000,
    requestTimeoutMs: 4000,
    maxHttpResponseMb: 2,
    extraCa: '/etc/weir/ca.pem',
    secretKey: 'k'.repeat(43),
    nodeId: 'node-east-1',
    leaseMs: 30_000,
    leaseRenewMs: 5_000,
    tracing: true,
    retention: '7d',
    auditRetention: 'off',
    metricsPublic: true,
  })
  const config = resolveConfig(
    { port: 1234, dataDir: '/tmp/w', dbUrl: ':memory:', publicUrl: 'https://lb.example.com' },
    env,
  )
  expect([config.port, config.dataDir, config.dbUrl, config.host, config.publicUrl]).toEqual([
    1234,
    '/tmp/w',
    ':memory:',
    '0.0.0.0',
    'https://lb.example.com',
  ])
  expect(Object.isFrozen(config)).toBe(true)
})

test('bad values are refused with what was wrong and what is expected', () => {
  expect(() => resolveConfig({}, { WEIR_PORT: 'eighty' })).toThrow(
    'WEIR_PORT must be a non-negative integer, not "eighty"',
  )
  expect(() => resolveConfig({}, { WEIR_DURABILITY: 'always' })).toThrow(
    'WEIR_DURABILITY must be "normal" or "strict", not "always"',
  )
  expect(() => resolveConfig({}, { WEIR_LOG_LEVEL: 'loud' })).toThrow(
    'WEIR_LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, not "loud"',
  )
  expect(() => resolveConfig({}, { WEIR_METRICS_PUBLIC: 'maybe' })).toThrow(
    'WEIR_METRICS_PUBLIC must be 1 or 0 (true or false), not "maybe"',
  )
  expect(() => resolveConfig({}, { WEIR_LEASE_MS: '3000' })).toThrow(
    'WEIR_LEASE_RENEW_MS (2000) must be at least 50 and at most half of WEIR_LEASE_MS (3000)',
  )
})

test('WEIR_METRICS_PUBLIC takes 1, true, yes, on and their opposites; the option wins', () => {
  const publicWith = (value: string) =>
    resolveConfig({}, { WEIR_METRICS_PUBLIC: value }).metricsPublic
  expect(['1', 'true', 'YES', 'on'].map(publicWith)).toEqual([true, true, true, true])
  expect(['0', 'false', 'no', 'off', ''].map(publicWith)).toEqual([
    false,
    false,
    false,
    false,
    false,
  ])
  expect(resolveConfig({ metricsPublic: false }, { WEIR_METRICS_PUBLIC: '1' }).metricsPublic).toBe(
    false,
  )
})
