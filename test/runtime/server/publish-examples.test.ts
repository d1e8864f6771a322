/**
 * Publishing a folder of examples: every task (as many at once as there are
 * cores), each said as it is ready, then the flows, which may name them;
 * again, nothing changes.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { Catalog } from '../../../runtime/catalog/catalog.js'
import { publishExamples } from '../../../runtime/server/publish-examples.js'
import { engineTasksComponent } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { freshDatabase, openTestStore } from '../../fixtures/test-stores.js'

test('tasks are published as they are ready, then flows; a second time changes nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'weir-examples-'))
  const bytes = await engineTasksComponent()
  const tasks: [string, string][] = [
    ['add', 'inc'],
    ['boom', 'trap'],
    ['spin-forever', 'spin'],
  ]
  for (const [name, exported] of tasks) {
    mkdirSync(join(root, 'tasks', name, 'dist'), { recursive: true })
    writeFileSync(
      join(root, 'tasks', name, 'task.json'),
      JSON.stringify({ name, export: exported }),
    )
    writeFileSync(join(root, 'tasks', name, 'dist', `${name}.wasm`), bytes)
  }
  mkdirSync(join(root, 'flows'))
  writeFileSync(
    join(root, 'flows', 'adding.json'),
    JSON.stringify({ name: 'adding', steps: [{ id: 'a', task: 'add', input: { n: 1 } }] }),
  )
  const store = await openTestStore('libsql', await freshDatabase('libsql'))
  const catalog = new Catalog(store, tempCache())
  const lines: string[] = []
  const quiet = { write: () => true }
  const first = await publishExamples(catalog, root, (line) => lines.push(line), quiet)
  expect(first).toEqual({ tasks: 3, flows: 1, created: 4 })
  // Numbered as they are ready (in any order), the flow last.
  expect(
    lines
      .slice(0, 3)
      .map((l) => l.slice(0, 6))
      .sort(),
  ).toEqual(['[1/4] ', '[2/4] ', '[3/4] '])
  expect(
    lines
      .slice(0, 3)
      .map((l) => l.slice(6))
      .sort(),
  ).toEqual([
    'task add: published v1',
    'task boom: published v1',
    'task spin-forever: published v1',
  ])
  expect(lines[3]).toBe('[4/4] flow adding: published v1')
  const again: string[] = []
  expect(await publishExamples(catalog, root, (line) => again.push(line), quiet)).toEqual({
    tasks: 3,
    flows: 1,
    created: 0,
  })
  expect(again.map((l) => l.replace(/^\[\d\/4\] /, '')).sort()).toEqual([
    'flow adding: unchanged v1',
    'task add: unchanged v1',
    'task boom: unchanged v1',
    'task spin-forever: unchanged v1',
  ])
  await store.close()
})
