/**
 * Builds the componentize-js components the tests run (the example tasks, the
 * all-kinds fixture, the fetch fixtures: js-http with the http capability,
 * js-sealed-fetch without, js-env, which reads its environment, and js-console,
 * which logs and echoes, for the console) once,
 * before any test, reusing builds whose inputs have not changed.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildTask, componentizeJs } from '../runtime/components/build-task.js'

const root = fileURLToPath(new URL('..', import.meta.url))

async function buildKindsFixture(): Promise<void> {
  const dir = join(root, 'test', 'fixtures', 'js-kinds')
  const dist = join(dir, 'dist')
  const hash = createHash('sha256')
  for (const f of ['world.wit', 'index.js']) hash.update(await readFile(join(dir, f)))
  const digest = hash.digest('hex')
  if ((await readFile(join(dist, 'build.sha256'), 'utf8').catch(() => '')) === digest) return
  await mkdir(dist, { recursive: true })
  await componentizeJs(join(dir, 'index.js'), join(dir, 'world.wit'), join(dist, 'js-kinds.wasm'))
  await writeFile(join(dist, 'build.sha256'), digest)
}

async function inParallel(jobs: (() => Promise<unknown>)[], width: number): Promise<void> {
  const queue = [...jobs]
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job()
    }),
  )
}

export default async function setup(): Promise<void> {
  const tasks = await readdir(join(root, 'tasks'))
  const started = performance.now()
  await inParallel(
    [
      buildKindsFixture,
      ...['js-http', 'js-sealed-fetch', 'js-env', 'js-console'].map(
        (f) => () => buildTask(join(root, 'test', 'fixtures', f), { ifChanged: true }),
      ),
      ...tasks.map((t) => () => buildTask(join(root, 'tasks', t), { ifChanged: true })),
    ],
    2,
  )
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(`components ready in ${seconds} s`)
}
