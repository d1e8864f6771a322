/**
 * Runs the README's "Five minutes with weir" and "Composition" against a fresh server started
 * with `npm start` (on an ephemeral port, in a temporary folder): every shell
 * block is run with bash and its output compared with the text block after
 * it, so the README cannot drift from what weir does.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import {
  callbackUrlPattern,
  normalize,
  runIdPattern,
  sectionOf,
  walkthroughSteps,
} from './readme-blocks.js'

const repo = new URL('../..', import.meta.url).pathname
const readme = readFileSync(join(repo, 'README.md'), 'utf8')
const steps = [
  ...walkthroughSteps(sectionOf(readme, 'Five minutes with weir')),
  ...walkthroughSteps(sectionOf(readme, 'Composition')),
]
const documentedUrl = 'http://127.0.0.1:8787'
const cwd = mkdtempSync(join(tmpdir(), 'weir-walkthrough-'))

let server: ChildProcess
let url: string

beforeAll(async () => {
  server = spawn('npm', ['start', '--silent'], {
    cwd: repo,
    env: {
      ...process.env,
      WEIR_DATA_DIR: join(cwd, '.weir'),
      WEIR_PORT: '0',
      WEIR_LOG_LEVEL: 'warn',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  url = await new Promise<string>((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match && out.includes('Ctrl-C stops the server.')) resolve(match[1] as string)
    })
    server.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    server.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)))
  })
}, 240_000)

afterAll(async () => {
  if (server.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve))
    process.kill(-server.pid, 'SIGTERM')
    await exited
  }
})

const prelude = `npx() { if [ "$1" = weir ]; then shift; node "${repo}bin/weir.js" "$@"; else command npx "$@"; fi; }\n`

function runScript(script: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `${prelude}exec 2>&1\n${script}`],
      { cwd, env: { ...process.env, WEIR_URL: url }, timeout: 120_000 },
      (_error, stdout) => resolve(stdout),
    )
  })
}

test('the walkthrough has commands with their outputs', () => {
  expect(steps.length).toBeGreaterThanOrEqual(6)
  expect(steps.filter((s) => s.expected !== undefined).length).toBeGreaterThanOrEqual(6)
})

test('every walkthrough command prints what the README says', async () => {
  let lastRun = ''
  let lastCallback = ''
  let exports = ''
  for (const step of steps) {
    const filled = step.script
      .replaceAll('<run-id>', lastRun)
      .replaceAll('<callback-url>', lastCallback)
    const script = exports + filled.replaceAll(documentedUrl, url)
    exports += step.script
      .split('\n')
      .filter((line) => /^export [A-Z_]+=/.test(line))
      .map((line) => `${line}\n`)
      .join('')
    const output = (await runScript(script)).replaceAll(url, documentedUrl)
    lastRun = [...output.matchAll(runIdPattern)].at(0)?.[0] ?? lastRun
    lastCallback = [...output.matchAll(callbackUrlPattern)].at(-1)?.[0] ?? lastCallback
    if (step.expected !== undefined)
      expect({ script: step.script, output: normalize(output) }).toEqual({
        script: step.script,
        output: normalize(step.expected),
      })
  }
}, 300_000)
