/**
 * The CLI commands that talk to a server, run through the command-line program
 * against a real server on an ephemeral port: their tables, their JSON, and
 * their exit codes.
 */
import { execFile, spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pino from 'pino'
import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { ApiError } from '../../../runtime/cli/client.js'
import { UsageError } from '../../../runtime/cli/usage-error.js'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { addTwo } from '../../fixtures/app-harness.js'
import { cliRunner } from '../../fixtures/cli-runner.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-cli-'))
let server: WeirServer

beforeAll(async () => {
  server = await WeirServer.start(resolveConfig({ dataDir, port: 0, workers: 1 }, {}), {
    logger: pino({ level: 'silent' }),
  })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow(addTwo)
  await server.context.catalog.publishFlow({
    name: 'gated',
    input: { type: 'object', properties: { ok: { type: 'boolean' } } },
    triggers: [{ http: true, when: 'has(input.ok) && input.ok' }],
    steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
  })
  await server.context.catalog.publishFlow({
    name: 'doomed',
    steps: [{ id: 'boom', task: 'trap', input: {} }],
  })
  await server.context.catalog.publishFlow({
    name: 'retrying',
    steps: [
      {
        id: 'a',
        task: 'fail-below',
        input: { attempt: '${run.attempt}', until: 3 },
        retry: { initialIntervalMs: 60_000 },
      },
    ],
  })
})

afterAll(async () => {
  await server.stop()
})

const weir = cliRunner(() => server.url, dataDir)

test('run --wait --json prints the finished run; a failed run exits with 1', async () => {
  const done = await weir('run', 'add-two', '--input', '{"n": 4}', '--wait', '--json')
  expect(done.code).toBe(0)
  expect(JSON.parse(done.out)).toMatchObject({ status: 'completed', output: { n: 6 } })
  const failed = await weir('run', 'doomed', '--wait')
  expect(failed.code).toBe(1)
  expect(failed.out).toMatch(/^run [0-9A-Z]{26} {2}doomed@1 {2}failed\n/)
  expect(failed.out).toContain('  error: step boom (trap@1), trap, attempt 1: ')
})

test("run says so, and exits with 1, when the flow's trigger guard refuses the start", async () => {
  const refused = await weir('run', 'gated', '--input', '{"ok": false}')
  expect([refused.code, refused.out]).toEqual([
    1,
    'start refused (guard_false): the guard at /triggers/0/when ("has(input.ok) && input.ok") is false',
  ])
  const started = await weir('run', 'gated', '--input', '{"ok": true}', '--wait')
  expect(started.code).toBe(0)
})

test('runs list, show and cancel', async () => {
  const { out } = await weir('run', 'retrying')
  const id = out.slice(4, 30)
  for (let i = 0; i < 200 && (await server.context.store.getRun(id))?.status !== 'waiting'; i++)
    await new Promise((r) => setTimeout(r, 10))
  const list = await weir('runs', 'list', '--flow', 'retrying')
  expect(list.out.split('\n')[0]).toMatch(/^ID +FLOW +STATUS +CREATED +STEP$/)
  expect(list.out.split('\n')[1]).toMatch(new RegExp(`^${id} +retrying@1 +waiting +\\S+ +a$`))
  const show = await weir('runs', 'show', id, '--json')
  expect(JSON.parse(show.out)).toMatchObject({
    id,
    status: 'waiting',
    steps: [{ stepId: 'a', status: 'waiting' }],
  })
  const cancelled = await weir('runs', 'cancel', id)
  expect(cancelled.out.split('\n')[0]).toBe(`run ${id}  retrying@1  cancelled`)
})

test('an API error rejects with the problem (the entry point prints it and exits 1)', async () => {
  const error = await weir('runs', 'show', '01M84CGZN8FNG0KHWJSTKZ1S7Z').catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ApiError)
  expect([(error as ApiError).status, (error as ApiError).message]).toEqual([
    404,
    'run 01M84CGZN8FNG0KHWJSTKZ1S7Z does not exist',
  ])
})

test('flow check against the server: ok, or each problem and exit 1', async () => {
  const file = join(dataDir, 'flow.json')
  writeFileSync(file, JSON.stringify(addTwo))
  expect(await weir('flow', 'check', file)).toEqual({ out: `${file}: ok`, code: 0 })
  writeFileSync(file, JSON.stringify({ ...addTwo, steps: [{ id: 'a', task: 'nope' }] }))
  const bad = await weir('flow', 'check', file)
  expect(bad.code).toBe(1)
  expect(bad.out).toContain(
    'error /steps/0/task: unknown task "nope": no task of that name is published',
  )
})

test('keys create prints a key that works with its role; keys list shows it', async () => {
  const created = await weir('keys', 'create', '--role', 'viewer', '--name', 'dashboards')
  const key = created.out.split('\n')[1] as string
  expect(key).toMatch(/^weir_[0-9a-f]{16}_/)
  expect(created.out.split('\n')[0]).toMatch(
    /^created viewer key [0-9a-f]{16} \("dashboards"\); it is shown only now:$/,
  )
  const listed = JSON.parse((await weir('keys', 'list', '--json')).out) as {
    items: { name: string; role: string }[]
  }
  expect(listed.items.map((k) => [k.name, k.role])).toEqual([
    ['admin', 'admin'],
    ['dashboards', 'viewer'],
  ])
  const refused = await weir('--token', key, 'run', 'add-two', '--input', '{"n":1}').catch(
    (e: unknown) => e,
  )
  expect((refused as ApiError).status).toBe(403)
})

test('types writes TypeScript types and builder handles for every published task and flow', async () => {
  const file = join(dataDir, 'weir-tasks.ts')
  const { out } = await weir('types', '--out', file)
  expect(out).toBe(`wrote ${file}: types for 6 tasks and 4 flows`)
  const source = readFileSync(file, 'utf8')
  expect(source).not.toContain('import')
  expect(source).toContain('export interface TaskHandle<I, O> {')
  expect(source).toContain('export interface AddTwoFlowInput {\n  n: number\n}')
  expect(source).toContain('export interface AddTwoFlowOutput {\n  n: number\n}')
  expect(source).toContain(
    "export const addTwoFlow = subflow<AddTwoFlowInput, AddTwoFlowOutput>('add-two', 1)",
  )
  expect(source).toContain('export interface IncInput {\n  n: number\n}')
  expect(source).toContain('export type IncOutput = number')
  expect(source).toContain("export const inc = task<IncInput, IncOutput>('inc', 1)")
  expect(source).toContain(
    "export const failBelow = task<FailBelowInput, FailBelowOutput>('fail-below', 1)",
  )
  expect(source).toContain('// inc@1\n// capabilities: sealed')
  // It compiles on its own, under --strict, in a folder with nothing installed.
  const fresh = mkdtempSync(join(tmpdir(), 'weir-types-'))
  copyFileSync(file, join(fresh, 'weir-tasks.ts'))
  const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url))
  const flags = [
    '--ignoreConfig',
    '--strict',
    '--noEmit',
    '--module',
    'nodenext',
    '--target',
    'es2022',
  ]
  const compiled = promisify(execFile)(process.execPath, [tsc, ...flags, 'weir-tasks.ts'], {
    cwd: fresh,
  })
  await expect(compiled).resolves.toEqual({ stdout: '', stderr: '' })
})

test("task list and task show name each task's capabilities", async () => {
  const { catalog } = server.context
  const inc = await catalog.store.getTask('inc')
  const component = inc?.document.component ?? ''
  await catalog.publishTask({
    name: 'caller',
    export: 'inc',
    component,
    description: 'calls out',
    capabilities: { http: { allow: ['https://api.example.com', 'http://127.0.0.1:*'] } },
  })
  const list = await weir('task', 'list')
  expect(list.out).toMatch(
    /caller\s+1\s+\S+\s+http: https:\/\/api.example.com, http:\/\/127.0.0.1:\*\s+calls out/,
  )
  expect(list.out).toMatch(/inc\s+1\s+\S+\s+sealed/)
  const show = await weir('task', 'show', 'caller')
  expect(show.out.split('\n').slice(0, 5)).toEqual([
    'caller@1 — calls out',
    'signature:    func(n: u32) -> u32',
    'mode:         sync, timeout 30000 ms',
    'capabilities: http: https://api.example.com, http://127.0.0.1:*',
    expect.stringMatching(/^published by: - at \d{4}-/),
  ])
  const json = JSON.parse((await weir('task', 'show', 'inc', '1', '--json')).out)
  expect([json.name, json.capabilities]).toEqual(['inc', {}])
})

test('schedules list, pause and resume', async () => {
  await server.context.catalog.publishFlow({
    ...addTwo,
    name: 'nightly',
    triggers: [{ cron: '0 3 * * *', input: { n: 1 } }],
  })
  const list = await weir('schedules', 'list', '--flow', 'nightly')
  expect(list.out.split('\n')[0]).toMatch(/^ID +FLOW +CRON +ZONE +STATE +NEXT +LAST$/)
  expect(list.out.split('\n')[1]).toMatch(
    /^flow:nightly:0 +nightly +0 3 \* \* \* +UTC +active +\S+T03:00:00\.000Z +-$/,
  )
  expect((await weir('schedules', 'pause', 'flow:nightly:0')).out).toBe(
    'schedule flow:nightly:0 is paused',
  )
  expect((await weir('schedules', 'resume', 'flow:nightly:0')).out).toMatch(
    /^schedule flow:nightly:0 is active; next \S+T03:00:00\.000Z$/,
  )
})

test('the entry point exits 2 on a wrong command line and 1 when the server is not there', async () => {
  const main = new URL('../../../runtime/cli/main.ts', import.meta.url).pathname
  const exec = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', main, ...args], (error, _stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stderr }),
      )
    })
  const usage = await exec(['run'])
  expect([usage.code, usage.stderr]).toEqual([
    2,
    expect.stringContaining("error: missing required argument 'flow'"),
  ])
  const away = await exec(['--url', 'http://127.0.0.1:59999', 'runs', 'list'])
  expect(away.code).toBe(1)
  expect(away.stderr).toContain(
    'weir: cannot reach weir at http://127.0.0.1:59999 (ECONNREFUSED); is "weir serve" running?',
  )
})

test('secrets set (from a file), list and delete; the value is never printed', async () => {
  const file = join(dataDir, 'stripe.secret')
  writeFileSync(file, 'sk_test_0123456789\n')
  expect(await weir('secrets', 'set', 'stripe-test', '--file', file)).toEqual({
    out: 'set secret stripe-test',
    code: 0,
  })
  expect((await weir('secrets', 'set', 'stripe-test', '--file', file)).out).toBe(
    'replaced secret stripe-test',
  )
  const list = await weir('secrets', 'list')
  expect(list.out).toMatch(/^NAME\s+CREATED\s+UPDATED\nstripe-test\s+\d{4}-/)
  expect(list.out).not.toContain('sk_test')
  expect((await weir('secrets', 'delete', 'stripe-test')).out).toBe('deleted secret stripe-test')
  expect((await weir('secrets', 'list', '--json')).out).toBe('{\n  "items": []\n}')
})

const main = new URL('../../../runtime/cli/main.ts', import.meta.url).pathname

/**
 * The entry point in a child process against the test server; with
 * `closeStdout`, its standard output is closed at once, as `| head` does once
 * it has its lines.
 */
function weirProcess(
  args: readonly string[],
  { closeStdout = false } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, '--url', server.url, '--data-dir', dataDir, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    if (closeStdout) child.stdout.destroy()
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

test("run <flow> --version <n> runs that version; only a top-level --version prints weir's", async () => {
  await server.context.catalog.publishFlow({ ...addTwo, description: 'version 2' })
  const first = await weir(
    'run',
    'add-two',
    '--version',
    '1',
    '--input',
    '{"n":1}',
    '--wait',
    '--json',
  )
  expect([first.code, JSON.parse(first.out).flow]).toEqual([0, { name: 'add-two', version: 1 }])
  const missing = await weir('run', 'add-two', '--version', '9').catch((e: unknown) => e)
  expect([(missing as ApiError).status, (missing as ApiError).message]).toEqual([
    404,
    'flow "add-two" has no version 9',
  ])
  expect(await weir('--version')).toEqual({ out: '0.1.0', code: undefined })
  expect(await weir('--json', '-V')).toEqual({ out: '0.1.0', code: undefined })
})

test('a closed pipe ends the command quietly: no EPIPE stack trace, exit 0', async () => {
  const { out } = await weir('run', 'add-two', '--input', '{"n":1}', '--wait')
  const id = out.slice(4, 30)
  const show = await weirProcess(['runs', 'show', id], { closeStdout: true })
  expect([show.code, show.stderr]).toEqual([0, ''])
  const help = await weirProcess(['--help'], { closeStdout: true })
  expect([help.code, help.stderr]).toEqual([0, ''])
})

test('an API error is printed once: the title, then each problem', async () => {
  const listed = await weirProcess(['runs', 'list', '--limit', '0', '--status', 'nope'])
  expect([listed.code, listed.stdout]).toEqual([1, ''])
  expect(listed.stderr.trimEnd().split('\n')).toEqual([
    'error: Invalid request (HTTP 400)',
    '  parameter status: expected one of "queued", "running", "waiting", "paused", "completed", "failed", "cancelled", "terminated", "timed_out", found "nope"',
    '  parameter limit: expected a number >= 1, found 0',
  ])
})

test('a bad --input is a usage error: exit 2, saying where the JSON breaks', async () => {
  const inline = await weirProcess(['run', 'add-two', '--input', '{"n":1,}'])
  expect([inline.code, inline.stderr]).toEqual([
    2,
    'weir: --input:1:8: not valid JSON: Expected double-quoted property name\n',
  ])
  const file = join(dataDir, 'input.json')
  writeFileSync(file, '{\n  "n": 1\n')
  const fromFile = await weir('run', 'add-two', '--input', `@${file}`).catch((e: unknown) => e)
  expect(fromFile).toBeInstanceOf(UsageError)
  expect((fromFile as Error).message).toBe(
    `--input @${file}: ${file}:3:1: not valid JSON: Expected ',' or '}' after property value`,
  )
  const missing = await weir('run', 'add-two', '--input', '@/no/such/file').catch((e: unknown) => e)
  expect((missing as Error).message).toBe(
    '--input @/no/such/file: cannot read /no/such/file (ENOENT)',
  )
})

test('run --wait that ends before the run exits 3 and says so', async () => {
  const text = await weir('run', 'retrying', '--wait', '50')
  const id = text.out.slice(4, 30)
  expect(text.code).toBe(3)
  expect(text.out.split('\n').at(-1)).toBe(`  still waiting after 50 ms; see: weir runs show ${id}`)
  const errors: string[] = []
  const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => {
    errors.push(line)
  })
  try {
    const json = await weir('run', 'retrying', '--wait', '50', '--json')
    const run = JSON.parse(json.out) as { id: string; status: string }
    expect([json.code, run.status]).toEqual([3, 'waiting'])
    expect(errors).toEqual([
      `weir: run ${run.id} is still waiting after 50 ms; see: weir runs show ${run.id}`,
    ])
  } finally {
    spy.mockRestore()
  }
})

test('a flow file that is not JSON is named with the line and column', async () => {
  const file = join(dataDir, 'broken-flow.json')
  writeFileSync(file, '{\n  "name": "broken",\n}\n')
  const message = `${file}:3:1: not valid JSON: Expected double-quoted property name`
  for (const args of [
    ['flow', 'publish', file],
    ['flow', 'check', file],
    ['flow', 'check', file, '--tasks', dataDir],
  ]) {
    const error = await weir(...args).catch((e: unknown) => e)
    expect((error as Error).message).toBe(message)
  }
})

test('the next-page hint keeps the filters and the page size', async () => {
  for (let i = 0; i < 3; i++) await weir('run', 'add-two', '--input', '{"n":1}')
  const page = await weir(
    'runs',
    'list',
    '--flow',
    'add-two',
    '--limit',
    '2',
    '--status',
    'completed',
  )
  const more = page.out.split('\n').at(-1) ?? ''
  expect(more).toMatch(
    /^more: weir runs list --flow add-two --status completed --limit 2 --cursor [A-Za-z0-9_-]+$/,
  )
  const cursor = more.split(' ').at(-1) as string
  const next = await weir(
    'runs',
    'list',
    '--flow',
    'add-two',
    '--limit',
    '2',
    '--status',
    'completed',
    '--cursor',
    cursor,
  )
  expect(next.out.split('\n')[1]).toMatch(/ add-two@\d +completed /)
})
