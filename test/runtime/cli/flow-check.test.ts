/** `weir flow check`, run through the command-line program. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test, vi } from 'vitest'
import { buildProgram } from '../../../runtime/cli/program.js'

const tasksDir = new URL('../../../tasks', import.meta.url).pathname

async function run(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const lines: string[] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => {
    lines.push(line)
  })
  process.exitCode = undefined
  try {
    await buildProgram().parseAsync(['node', 'weir', ...args])
  } finally {
    spy.mockRestore()
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : undefined
  process.exitCode = undefined
  return { out: lines.join('\n'), code }
}

afterEach(() => {
  process.exitCode = undefined
})

test('an example flow checks against the example tasks', async () => {
  const file = new URL('../../../flows/checkout.json', import.meta.url).pathname
  const { out, code } = await run(['flow', 'check', file, '--tasks', tasksDir])
  expect(code).toBe(0)
  expect(out).toBe(`${file}: ok (3 steps)`)
})

test('problems are printed with their pointers and the exit code is 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-cli-'))
  const file = join(dir, 'bad.json')
  writeFileSync(
    file,
    JSON.stringify({
      name: 'bad',
      steps: [{ id: 'a', task: 'notify', input: { channel: 'sms', message: 'hi' } }],
    }),
  )
  const { out, code } = await run(['flow', 'check', file, '--tasks', tasksDir])
  expect(code).toBe(1)
  expect(out).toBe(
    'error /steps/0/input/channel: expected "email" | "slack" | "ops", found "sms" — input of task notify@1',
  )
})

test('--json prints the pinned flow', async () => {
  const file = new URL('../../../flows/count-up.json', import.meta.url).pathname
  const { out, code } = await run(['flow', 'check', file, '--tasks', tasksDir, '--json'])
  expect(code).toBe(0)
  const body = JSON.parse(out)
  expect(body.ok).toBe(true)
  expect(body.flow.steps.map((s: { task: string }) => s.task)).toEqual([
    'increment@1',
    'increment@1',
  ])
})
