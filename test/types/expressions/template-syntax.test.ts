/** Splitting template strings into text and `${…}` expressions. */
import { describe, expect, test } from 'vitest'
import { splitTemplate } from '../../../types/expressions/template-syntax.js'

describe('splitTemplate', () => {
  test.each([
    ['plain text', 'hello', [{ kind: 'text', text: 'hello' }]],
    ['one expression', '${a.b}', [{ kind: 'expression', source: 'a.b', offset: 2 }]],
    [
      'text around expressions',
      'x ${a} y ${b}',
      [
        { kind: 'text', text: 'x ' },
        { kind: 'expression', source: 'a', offset: 4 },
        { kind: 'text', text: ' y ' },
        { kind: 'expression', source: 'b', offset: 11 },
      ],
    ],
    ['escaped ${', '$${a}', [{ kind: 'text', text: '${a}' }]],
    ['nested braces', '${{"a": 1}.a}', [{ kind: 'expression', source: '{"a": 1}.a', offset: 2 }]],
    [
      'a closing brace in a string',
      "${'}' + x}",
      [{ kind: 'expression', source: "'}' + x", offset: 2 }],
    ],
    [
      'an escaped quote in a string',
      '${"a\\"}" + x}',
      [{ kind: 'expression', source: '"a\\"}" + x', offset: 2 }],
    ],
    [
      'a triple-quoted string',
      '${"""}"""}',
      [{ kind: 'expression', source: '"""}"""', offset: 2 }],
    ],
    [
      'a raw string ending in a backslash',
      '${r"\\" + "}"}',
      [{ kind: 'expression', source: 'r"\\" + "}"', offset: 2 }],
    ],
    ['empty string', '', [{ kind: 'text', text: '' }]],
  ])('%s', (_name, input, segments) => {
    expect(splitTemplate(input)).toEqual({ ok: true, segments })
  })

  test.each([
    ['unterminated', 'a ${b', 'unterminated "${": missing "}"', 2],
    ['empty expression', 'a ${ }', 'empty expression "${}"', 2],
  ])('%s', (_name, input, message, offset) => {
    expect(splitTemplate(input)).toEqual({ ok: false, message, offset })
  })
})
