/**
 * Retention windows as configured: each accepted form, `off`, the defaults,
 * the option over the variable, the errors naming the variable and what it
 * accepts, and the start log's lines.
 */
import { expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { retentionLines, retentionWindowMs } from '../../../runtime/retention/index.js'

test.each([
  ['30d', 30 * 86_400_000],
  ['365d', 365 * 86_400_000],
  ['12h', 12 * 3_600_000],
  ['90m', 90 * 60_000],
  ['45s', 45_000],
  ['1.5d', 1.5 * 86_400_000],
  [' 7D ', 7 * 86_400_000],
  ['off', undefined],
  ['OFF', undefined],
])('%j is %s ms', (text, ms) => {
  expect(retentionWindowMs('WEIR_RETENTION', text)).toBe(ms)
})

test.each(['30', 'd', '30 days', '-1d', '0d', '0.0h', '2w', '1e3s', 'never', '', '30d5h'])(
  '%j is refused, naming the variable and what it accepts',
  (text) => {
    expect(() => retentionWindowMs('WEIR_RETENTION', text)).toThrow(
      `WEIR_RETENTION must be "off" or a positive number followed by s, m, h or d (seconds, minutes, hours, days), such as 30d or 12h, not "${text}"`,
    )
  },
)

test('the configuration: defaults, the variables, options over them, errors at start', () => {
  expect(resolveConfig({}, {})).toMatchObject({ retention: '30d', auditRetention: '365d' })
  expect(resolveConfig({}, { WEIR_RETENTION: 'off', WEIR_AUDIT_RETENTION: '90d' })).toMatchObject({
    retention: 'off',
    auditRetention: '90d',
  })
  expect(
    resolveConfig({ retention: '12h', auditRetention: 'off' }, { WEIR_RETENTION: 'off' }),
  ).toMatchObject({ retention: '12h', auditRetention: 'off' })
  let error: unknown
  try {
    resolveConfig({}, { WEIR_AUDIT_RETENTION: '1y' })
  } catch (caught) {
    error = caught
  }
  expect(error).toMatchObject({
    code: 'invalid_request',
    message:
      'WEIR_AUDIT_RETENTION must be "off" or a positive number followed by s, m, h or d (seconds, minutes, hours, days), such as 30d or 12h, not "1y"',
  })
  expect(() => resolveConfig({}, { WEIR_RETENTION: '30 days' })).toThrow(
    /^WEIR_RETENTION must be "off" or a positive number/,
  )
})

test('the start log says what is deleted and when, or that nothing is', () => {
  expect(retentionLines({ retention: '30d', auditRetention: '365d' })).toEqual([
    'retention: finished runs are deleted 30 days after they end (WEIR_RETENTION=30d)',
    'audit retention: audit entries are deleted 365 days after they are recorded (WEIR_AUDIT_RETENTION=365d)',
  ])
  expect(retentionLines({ retention: 'off', auditRetention: '1h' })).toEqual([
    'retention: off, finished runs are kept (WEIR_RETENTION=off)',
    'audit retention: audit entries are deleted 1 hour after they are recorded (WEIR_AUDIT_RETENTION=1h)',
  ])
  expect(retentionLines({ retention: '1.5d', auditRetention: 'off' })).toEqual([
    'retention: finished runs are deleted 1.5 days after they end (WEIR_RETENTION=1.5d)',
    'audit retention: off, audit entries are kept (WEIR_AUDIT_RETENTION=off)',
  ])
})
