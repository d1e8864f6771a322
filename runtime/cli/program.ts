/**
 * The `weir` command line: its commands and options. Exit codes: 0 success,
 * 1 the command ran and found problems (or failed), 2 the command line is wrong.
 */
import { Command } from 'commander'
import { packageInfo } from '../package-info.js'
import { flowCheckCommand } from './flow-check.js'
import { taskBuildCommand } from './task-build.js'

export function buildProgram(): Command {
  const program = new Command('weir')
    .description('A durable flow runtime for WebAssembly components')
    .version(packageInfo().version)
    .exitOverride()
  const flow = program.command('flow').description('Work with flow documents')
  flow
    .command('check')
    .description('Check a flow document statically against local task documents')
    .argument('<file>', 'the flow document (JSON)')
    .option('--tasks <dir>', 'folder of task folders (<name>/task.json)', 'tasks')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { tasks: string; json?: boolean }) => {
      process.exitCode = await flowCheckCommand(file, options)
    })
  const task = program.command('task').description('Work with task folders and components')
  task
    .command('build')
    .description('Build JavaScript task folders (task.json + src/index.js) into dist/<name>.wasm')
    .argument('<dir...>', 'task folders')
    .option('--force', 'rebuild even when nothing changed')
    .option('--json', 'print the results as JSON')
    .action(async (dirs: string[], options: { force?: boolean; json?: boolean }) => {
      process.exitCode = await taskBuildCommand(dirs, options)
    })
  return program
}
