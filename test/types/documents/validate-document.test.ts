/** Validation of task documents and standalone value schemas. */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { validateTaskDocument, validateValueSchema } from '../../../types/index.js'

const tasksDir = new URL('../../../tasks/', import.meta.url)

describe('task documents', () => {
  test.each(readdirSync(tasksDir))('example task %s is valid', (name) => {
    const doc = JSON.parse(readFileSync(new URL(`${name}/task.json`, tasksDir), 'utf8'))
    expect(validateTaskDocument(doc)).toEqual({ ok: true, value: doc })
  })

  test.each([
    ['missing name', { input: {} }, '', 'missing required field "name"'],
    ['bad name', { name: 'Price_Order' }, '/name', 'task name must be lowercase'],
    [
      'bad component address',
      { name: 'a', component: 'sha256:xyz' },
      '/component',
      '"sha256:" followed by 64',
    ],
    [
      'unknown mode',
      { name: 'a', mode: 'batch' },
      '/mode',
      'expected one of "sync", "async", found "batch"',
    ],
    [
      'memory limit too large',
      { name: 'a', limits: { memoryMb: 8192 } },
      '/limits/memoryMb',
      '<= 4096',
    ],
    [
      'unsupported keyword in the output schema',
      { name: 'a', output: { not: {} } },
      '/output/not',
      'unsupported JSON Schema keyword "not"',
    ],
    [
      'remote $ref',
      { name: 'a', input: { $ref: 'https://example.com/s.json' } },
      '/input/$ref',
      'only local references',
    ],
  ])('%s', (_name, doc, pointer, words) => {
    const result = validateTaskDocument(doc)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]?.pointer).toBe(pointer)
    expect(result.problems[0]?.message).toContain(words)
  })
})

describe('value schemas', () => {
  test('a $ref cycle that never reaches a schema is reported', () => {
    const result = validateValueSchema({
      $ref: '#/$defs/a',
      $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } },
    })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.problems.map((p) => [p.pointer, p.code])).toContainEqual([
        '/$ref',
        'invalid_schema',
      ])
      expect(result.problems[0]?.message).toContain('loops through references')
    }
  })

  test('a recursive schema through properties is fine', () => {
    const schema = {
      $ref: '#/$defs/node',
      $defs: { node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } },
    }
    expect(validateValueSchema(schema).ok).toBe(true)
  })
})
