/**
 * `weir task build` and the http capability: componentize-js's `http` feature
 * is on when (and only when) the task declares http, and `fetch-event` is
 * always off. The fixtures are built by the global setup.
 */
import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { decodeComponent } from '../../../runtime/components/decode-component.js'

const built = (name: string, file: string) =>
  decodeComponent(
    new Uint8Array(readFileSync(new URL(`../../fixtures/${name}/dist/${file}`, import.meta.url))),
  )

const names = (items: readonly { name: string }[]) => items.map((i) => i.name)

test('a task declaring http imports wasi:http/outgoing-handler and exports only run', () => {
  const component = built('js-http', 'fetch-json.wasm')
  const imports = names(component.imports)
  expect(
    imports.filter((n) => n.startsWith('wasi:http/')).map((n) => n.replace(/@.*/, '')),
  ).toEqual(['wasi:http/types', 'wasi:http/outgoing-handler'])
  expect(names(component.exports)).toEqual(['run'])
})

test('a task without http imports nothing of wasi:http', () => {
  const component = built('js-sealed-fetch', 'sealed-fetch.wasm')
  expect(names(component.imports).filter((n) => n.startsWith('wasi:http/'))).toEqual([])
  expect(names(component.exports)).toEqual(['run'])
})
