/** `weir task build`, run through the command-line program. */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, vi } from 'vitest'
import { buildProgram } from '../../../runtime/cli/program.js'

async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const chunks: string[] = []
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => {
    chunks.push(`${line}\n`)
  })
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk))
      return true
    })
  process.exitCode = undefined
  try {
    await buildProgram().parseAsync(['node', 'weir', ...args])
  } finally {
    log.mockRestore()
    write.mockRestore()
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : undefined
  process.exitCode = undefined
  return { out: chunks.join(''), code }
}

function taskFolder(taskJson: object, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'weir-task-'))
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'task.json'), JSON.stringify(taskJson))
  writeFileSync(join(dir, 'src', 'index.js'), source)
  return dir
}

test('an unchanged example task is not rebuilt', async () => {
  const dir = new URL('../../../tasks/increment', import.meta.url).pathname
  const { out, code } = await run(['task', 'build', dir])
  expect(code).toBe(0)
  expect(out).toBe(`[1/1] building ${dir} … unchanged: ${dir}/dist/increment.wasm (11.4 MiB)\n`)
})

test('a schema that has no WIT form fails the build with its pointer', async () => {
  const dir = taskFolder(
    {
      name: 'bad',
      input: {
        type: 'object',
        properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } },
      },
    },
    '',
  )
  const { out, code } = await run(['task', 'build', dir])
  expect(code).toBe(1)
  expect(out).toContain(
    '/input/properties/tags: an object needs "properties" to be given a WIT record type (maps are not supported)',
  )
})

test('a JavaScript syntax error fails the build with its line', async () => {
  const dir = taskFolder({ name: 'broken', output: { type: 'string' } }, 'export function run( {')
  const { out, code } = await run(['task', 'build', dir, '--json'])
  expect(code).toBe(1)
  const [result] = JSON.parse(out)
  expect(result.ok).toBe(false)
  expect(result.message).toBe(
    `${dir}/src/index.js does not parse:\n${dir}/src/index.js:1\nexport function run( {\nSyntaxError: Unexpected end of input`,
  )
}, 120_000)

test('a source without a run export fails at once, naming what it exports', async () => {
  const dir = taskFolder(
    { name: 'misnamed', output: { type: 'string' } },
    "export function runn() { return 'x' }\nexport const version = 1\n",
  )
  const { out, code } = await run(['task', 'build', dir, '--json'])
  expect(code).toBe(1)
  const [result] = JSON.parse(out)
  expect(result.message).toBe(
    `${dir}/src/index.js does not export a function named "run" (it exports runn, version): a JavaScript task exports run(input)`,
  )
  // componentize-js never started (its entry module is written just before it starts).
  expect(existsSync(join(dir, 'dist', 'entry.js'))).toBe(false)
})
