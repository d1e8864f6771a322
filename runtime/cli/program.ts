/**
 * The `weir` command line: its commands and options. Commands other than
 * `serve`, `task build` and an offline `flow check --tasks` talk to the server
 * over HTTP. Exit codes: 0 success, 1 the command ran and failed (a problem
 * found, a request refused, a run that failed or, watched, ended otherwise
 * than completed), 2 the command line is wrong, 3 `weir run --wait` ended
 * before the run did.
 */
import { Command, type Help, Option, type ParseOptions } from 'commander'
import { packageInfo } from '../package-info.js'
import { addAudit } from './audit.js'
import type { ApiClient } from './client.js'
import { connect, type GlobalOptions } from './connect.js'
import { flowCheckCommand } from './flow-check.js'
import { keysCreateCommand, keysDeleteCommand, keysListCommand } from './keys.js'
import { eventsSendCommand, flowShowCommand, schedulesCreateCommand } from './more-commands.js'
import { printJson, printTable } from './output.js'
import { flowCheckRemoteCommand, flowPublishCommand, taskPublishCommand } from './publish.js'
import {
  type ListOptions,
  type RunOptions,
  runCommand,
  runOperationCommand,
  runsEventsCommand,
  runsListCommand,
  runsShowCommand,
} from './runs.js'
import { schedulePauseCommand, schedulesListCommand } from './schedules.js'
import { secretsDeleteCommand, secretsListCommand, secretsSetCommand } from './secrets.js'
import { addServe } from './serve-command.js'
import { taskBuildCommand } from './task-build.js'
import { taskListCommand, taskShowCommand } from './tasks.js'
import { typesCommand } from './types-command.js'
import { runsWatchCommand } from './watch.js'

type Options<O> = O & GlobalOptions

/**
 * A Commander action that connects to the server with the global options and
 * runs `body` with the positional arguments; its result is the exit code.
 */
function remote<O = object>(
  body: (client: ApiClient, options: Options<O>, ...args: string[]) => Promise<number>,
) {
  return async (...received: unknown[]) => {
    const command = received.at(-1) as Command
    const options = command.optsWithGlobals<Options<O>>()
    const positional = received.slice(0, -2).flat() as string[]
    process.exitCode = await body(await connect(options), options, ...positional)
  }
}

async function flowListCommand(client: ApiClient, json: boolean | undefined): Promise<number> {
  const { items } = await client.get<{
    items: {
      name: string
      version: number
      process?: string
      createdAt: string
      document: { description?: string }
    }[]
  }>('/v1/flows')
  if (json) printJson({ items })
  else {
    printTable(
      ['name', 'version', 'process', 'created'],
      items.map((i) => [i.name, i.version, i.process, i.createdAt]),
    )
  }
  return 0
}

function addTask(program: Command): void {
  const task = program.command('task').description('Build, publish and list tasks')
  task
    .command('build')
    .description('Build JavaScript task folders (task.json + src/index.js) into dist/<name>.wasm')
    .argument('<dir...>', 'task folders')
    .option('--force', 'rebuild even when nothing changed')
    .action(async (dirs: string[], _options: object, command: Command) => {
      process.exitCode = await taskBuildCommand(dirs, command.optsWithGlobals())
    })
  task
    .command('publish')
    .description('Upload and publish tasks; JavaScript folders are built first when they changed')
    .argument('<path...>', 'task folders, task.json files, or folders of task folders')
    .action(remote((client, options, ...paths) => taskPublishCommand(client, paths, options)))
  task
    .command('list')
    .description('The latest version of every published task, with its capabilities')
    .action(remote((client, options) => taskListCommand(client, options.json)))
  task
    .command('show')
    .description('A task version: signature, capabilities, who published it, schemas')
    .argument('<name>', 'the task name')
    .argument('[version]', 'the version (default: latest)')
    .action(
      remote((client, options, name, version) =>
        taskShowCommand(client, name, { json: options.json, version }),
      ),
    )
}

function addFlow(program: Command): void {
  const flow = program.command('flow').description('Check, publish and list flows')
  flow
    .command('check')
    .description('Check a flow statically: against the server, or offline against --tasks <dir>')
    .argument('<file>', 'the flow document (JSON)')
    .option('--tasks <dir>', 'check offline against this folder of task folders (<name>/task.json)')
    .action(
      remote<{ tasks?: string }>((client, options, file) =>
        options.tasks
          ? flowCheckCommand(file, { tasks: options.tasks, json: options.json ?? false })
          : flowCheckRemoteCommand(client, file, options),
      ),
    )
  flow
    .command('publish')
    .description('Publish flow documents (each is checked; task references are pinned)')
    .argument('<file...>', 'flow documents (JSON)')
    .action(remote((client, options, ...files) => flowPublishCommand(client, files, options)))
  flow
    .command('list')
    .description('The latest version of every published flow')
    .action(remote((client, options) => flowListCommand(client, options.json)))
  flow
    .command('show')
    .description('A flow version: process, when it was published, and what each step does')
    .argument('<name>', 'the flow name')
    .argument('[version]', 'the version (default: latest)')
    .action(
      remote((client, options, name, version) =>
        flowShowCommand(client, name, { json: options.json, version }),
      ),
    )
}

function addRuns(program: Command): void {
  program
    .command('run')
    .description('Start a run of a flow')
    .argument('<flow>', 'the flow name')
    .option('--input <json>', 'the input as JSON, or @file (default {})')
    .option(
      '--wait [ms]',
      'wait for the run to finish (default 30000 ms); exits 3 if it is still going then',
    )
    .option('--version <n>', 'the flow version (default: latest)')
    .option('--idempotency-key <key>', 'starting again with the same key gives the same run')
    .action(remote<RunOptions>((client, options, flow) => runCommand(client, flow, options)))
  const runs = program.command('runs').description('List and inspect runs, and operate on them')
  runs
    .command('list')
    .description('Runs, newest first')
    .option('--flow <name>', 'only runs of this flow')
    .option('--process <process>', 'only runs of flows in this process')
    .option('--status <status>', 'only runs in this status')
    .option('--parent <id>', 'only the child runs of this run')
    .option('--from <time>', 'created at or after (ISO 8601)')
    .option('--to <time>', 'created at or before (ISO 8601)')
    .option('--limit <n>', 'page size (default 50)')
    .option('--cursor <cursor>', 'the next page, as the previous one said')
    .action(remote<ListOptions>((client, options) => runsListCommand(client, options)))
  runs
    .command('show')
    .description("A run with its steps, attempts and the tasks' logs")
    .argument('<id>', 'the run id')
    .action(remote((client, options, id) => runsShowCommand(client, id, options)))
  runs
    .command('events')
    .description("A run's history")
    .argument('<id>', 'the run id')
    .action(remote((client, options, id) => runsEventsCommand(client, id, options)))
  runs
    .command('watch')
    .description(
      "A run's events as they happen, until it ends; exits 0 if it completed, 1 otherwise",
    )
    .argument('<id>', 'the run id')
    .action(remote((client, options, id) => runsWatchCommand(client, id, options)))
  for (const operation of ['cancel', 'terminate', 'pause', 'resume', 'retry']) {
    runs
      .command(operation)
      .description(`${operation[0]?.toUpperCase()}${operation.slice(1)} a run`)
      .argument('<id>', 'the run id')
      .action(remote((client, options, id) => runOperationCommand(client, operation, id, options)))
  }
}

function addEvents(program: Command): void {
  program
    .command('events')
    .description('Events for runs that wait for them')
    .command('send')
    .description("Deliver an event to a run's waitFor step")
    .argument('<run>', 'the run id')
    .argument('<event>', 'the event name')
    .option('--data <json>', 'the payload as JSON, or @file (default null)')
    .action(
      remote<{ data?: string }>((client, options, run, event) =>
        eventsSendCommand(client, run, event, options),
      ),
    )
}

function addSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description("Cron schedules: flows' triggers and those made through the API")
  schedules
    .command('list')
    .description('Schedules with their next fire times')
    .option('--flow <name>', 'only schedules of this flow')
    .action(remote<{ flow?: string }>((client, options) => schedulesListCommand(client, options)))
  schedules
    .command('create')
    .description('Make a cron schedule that starts runs of a flow')
    .argument('<flow>', 'the flow name')
    .requiredOption('--cron <expr>', 'five cron fields, e.g. "*/5 * * * *"')
    .option('--timezone <zone>', 'an IANA time zone (default UTC)')
    .option('--input <json>', 'the input of each run as JSON, or @file (default {})')
    .option('--paused', 'make it paused')
    .action(
      remote<{ cron: string; timezone?: string; input?: string; paused?: boolean }>(
        (client, options, flow) => schedulesCreateCommand(client, flow, options),
      ),
    )
  for (const [name, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    schedules
      .command(name)
      .description(
        paused ? 'Stop a schedule from firing' : 'Let a paused schedule fire again, from now on',
      )
      .argument('<id>', 'the schedule id')
      .action(remote((client, options, id) => schedulePauseCommand(client, id, paused, options)))
  }
}

function addKeysAndTypes(program: Command): void {
  program
    .command('types')
    .description("Write TypeScript types of every published task's input and output")
    .option('--out <file>', 'where to write them (- for stdout)', 'weir-tasks.ts')
    .action(remote<{ out: string }>((client, options) => typesCommand(client, options)))
  const keys = program.command('keys').description('Manage API keys (needs an admin key)')
  keys
    .command('create')
    .description('Create an API key; it is printed once')
    .addOption(
      new Option('--role <role>', 'what the key may do')
        .choices(['admin', 'publisher', 'operator', 'viewer'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'a name to recognize it by (default: the role)')
    .action(
      remote<{ role: string; name?: string }>((client, options) =>
        keysCreateCommand(client, options),
      ),
    )
  keys
    .command('list')
    .description('Every API key (without secrets)')
    .action(remote((client, options) => keysListCommand(client, options)))
  keys
    .command('delete')
    .description('Delete an API key')
    .argument('<id>', 'the key id')
    .action(remote((client, options, id) => keysDeleteCommand(client, id, options)))
  const secrets = program.command('secrets').description('Manage secrets (needs an admin key)')
  secrets
    .command('set')
    .description('Set a secret from standard input or --file (never from the command line)')
    .argument('<name>', 'the secret name')
    .option('--file <file>', 'read the value from this file (default: standard input)')
    .action(
      remote<{ file?: string }>((client, options, name) =>
        secretsSetCommand(client, name, options),
      ),
    )
  secrets
    .command('list')
    .description('Every secret: names and times, never values')
    .action(remote((client, options) => secretsListCommand(client, options)))
  secrets
    .command('delete')
    .description('Delete a secret no task version uses')
    .argument('<name>', 'the secret name')
    .action(remote((client, options, name) => secretsDeleteCommand(client, name, options)))
}

/** Global options that take a value, skipped when looking for a top-level `--version`. */
const globalsWithValue = new Set(['--url', '--token', '--data-dir'])

/**
 * Whether the command line asks for weir's version: `-V` or `--version`
 * before any command (after global options only). Anywhere else `--version`
 * is a command's own option (`weir run <flow> --version 2`).
 */
export function asksForVersion(args: readonly string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (arg === '-V' || arg === '--version') return true
    if (globalsWithValue.has(arg)) i++
    else if (!arg.startsWith('--') || arg === '--') return false
  }
  return false
}

const versionOption = new Option('-V, --version', 'output the version number')

/**
 * The root command. Commander's `.version()` makes `--version` a program
 * option, and a program's options are recognized anywhere on the line, so it
 * took `weir run <flow> --version 2` for itself and printed weir's version.
 * Here the version is answered only before the command, and shown in help.
 */
class WeirProgram extends Command {
  override async parseAsync(argv?: readonly string[], options?: ParseOptions): Promise<this> {
    const from = options?.from ?? 'node'
    const all = argv ?? process.argv
    const args = from === 'user' ? all : all.slice(from === 'electron' ? 1 : 2)
    if (asksForVersion(args)) {
      console.log(packageInfo().version)
      return this
    }
    return super.parseAsync(argv, options)
  }

  override createHelp(): Help {
    const help = super.createHelp()
    const visibleOptions = help.visibleOptions.bind(help)
    help.visibleOptions = (command) =>
      command === this ? [versionOption, ...visibleOptions(command)] : visibleOptions(command)
    return help
  }
}

export function buildProgram(): Command {
  const program = new WeirProgram('weir')
    .description('A durable flow runtime for WebAssembly components')
    .option('--url <url>', 'the server (WEIR_URL, default http://127.0.0.1:8787)')
    .option('--token <key>', 'the API key (WEIR_TOKEN, default: <data dir>/admin.token)')
    .option('--data-dir <dir>', 'where to find admin.token (WEIR_DATA_DIR, default ./.weir)')
    .option('--json', 'print results as JSON')
    .exitOverride()
    .showHelpAfterError()
  addServe(program)
  addTask(program)
  addFlow(program)
  addRuns(program)
  addSchedules(program)
  addEvents(program)
  addKeysAndTypes(program)
  addAudit(program, remote)
  for (const command of program.commands) {
    command.exitOverride()
    for (const sub of command.commands) sub.exitOverride()
  }
  return program
}
