/** `weir serve`: its options (each with its environment variable) and its action. */
import { type Command, Option } from 'commander'
import { type ServeOptions, serveCommand } from './serve.js'

export function addServe(program: Command): void {
  program
    .command('serve')
    .description('Run the server and its workers on the embedded database')
    .option('--host <host>', 'address to listen on (WEIR_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (WEIR_PORT, default 8787)')
    .option(
      '--data-dir <dir>',
      'database, component cache, admin token (WEIR_DATA_DIR, default ./.weir)',
    )
    .option(
      '--db-url <url>',
      'libSQL file URL or postgres://user:pass@host:port/db (WEIR_DB_URL, default file:<data dir>/weir.db)',
    )
    .addOption(
      new Option(
        '--durability <mode>',
        'strict also survives power loss (WEIR_DURABILITY)',
      ).choices(['normal', 'strict']),
    )
    .option('--workers <n>', 'executor worker threads (WEIR_WORKERS, default: number of cores)')
    .option('--log-level <level>', 'debug, info, warn or error (WEIR_LOG_LEVEL, default info)')
    .option(
      '--retention <window>',
      'delete finished runs this long after they end: 30d, 12h, 90m, or off (WEIR_RETENTION, default 30d)',
    )
    .option(
      '--audit-retention <window>',
      'delete audit entries this long after they are recorded, or off (WEIR_AUDIT_RETENTION, default 365d)',
    )
    .option(
      '--metrics-public',
      'serve GET /metrics without an API key (WEIR_METRICS_PUBLIC=1; default: the viewer role)',
    )
    .option('--examples', "build if needed and publish weir's example tasks and flows")
    .action(async (_options: ServeOptions, command: Command) =>
      serveCommand(command.optsWithGlobals<ServeOptions>()),
    )
}
