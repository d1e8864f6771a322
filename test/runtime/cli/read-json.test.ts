/** JSON from files and the command line: a syntax error names the source, line and column. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { lineAndColumn, parseJson, readJsonFile } from '../../../runtime/cli/read-json.js'

test.each([
  ['abc', 0, { line: 1, column: 1 }],
  ['abc', 2, { line: 1, column: 3 }],
  ['a\nbc', 2, { line: 2, column: 1 }],
  ['a\nbc\n', 5, { line: 3, column: 1 }],
])('lineAndColumn(%j, %i)', (text, offset, expected) => {
  expect(lineAndColumn(text, offset)).toEqual(expected)
})

test.each([
  ['{"a":1,}', 'x.json:1:8: not valid JSON: Expected double-quoted property name'],
  ['{\n  "a": 1\n', "x.json:3:1: not valid JSON: Expected ',' or '}' after property value"],
  ['[1] x', 'x.json:1:5: not valid JSON: Unexpected non-whitespace character after JSON'],
  ['', 'x.json:1:1: not valid JSON: Unexpected end of JSON input'],
])('parseJson(%j) throws "%s"', (text, message) => {
  expect(() => parseJson(text, 'x.json')).toThrow(new SyntaxError(message))
})

test('a valid text is its value; a file is named by its path', async () => {
  expect(parseJson(' {"a": [1, 2]} ', 'x')).toEqual({ a: [1, 2] })
  const file = join(mkdtempSync(join(tmpdir(), 'weir-json-')), 'flow.json')
  writeFileSync(file, '{\n  "name": "x",\n}\n')
  await expect(readJsonFile(file)).rejects.toThrow(
    `${file}:3:1: not valid JSON: Expected double-quoted property name`,
  )
})
