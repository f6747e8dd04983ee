import { Command, Option } from 'commander';
import { dashboardCommand } from './commands/dashboard.js';
import { cancelCommand, deleteCommand, retryOneCommand } from './commands/job-actions.js';
import { inspectCommand, listCommand } from './commands/jobs-read.js';
import { migrateCommand } from './commands/migrate.js';
import { retryFailedCommand } from './commands/retry-failed.js';
import { runScheduleCommand, schedulesCommand } from './commands/schedules.js';
import { workerCommand } from './commands/worker.js';
import { CommandContext, type GlobalOptions } from './context.js';
import { usageError } from './errors.js';
import type { CliIo } from './io.js';
import { collectLabel, collectList, collectStatus, integerOption } from './option-parsers.js';

/** The package's version, shown by `--version`. */
export const CLI_VERSION = '0.1.0';

/**
 * Builds the `jobservice` program over `io`. Commander's own errors are
 * thrown (`exitOverride`) and written as one `jobservice: …` line.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('jobservice')
    .description(
      'Operate jobservice jobs: list, inspect, retry, cancel, schedules, migrations, workers, dashboard.',
    )
    .version(CLI_VERSION)
    .option(
      '--store <url>',
      'the store: postgres://…, postgresql://… or fs:<folder> (else $JOBSERVICE_STORE, else the config file)',
    )
    .option('--schema <name>', 'the PostgreSQL schema (default: the provider default, jobservice)')
    .option(
      '--config <path>',
      'a config file (default: jobservice.config.{js,mjs,ts,json} in the working directory)',
    )
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`jobservice: ${text.replace(/^error: /, '').trim()}\n`),
    });
  const context = (): CommandContext => new CommandContext(io, program.opts<GlobalOptions>());
  const json = () => new Option('--json', 'print JSON for scripts');

  program
    .command('list')
    .description('one page of jobs, newest last')
    .option('--status <status>', 'only this status (repeatable)', collectStatus)
    .option('--name <name>', 'only this callback name (repeatable)', collectList)
    .option('--label <key=value>', 'only jobs with this label (repeatable)', collectLabel)
    .option('--limit <n>', 'jobs per page (default 50)', integerOption(1, 10_000))
    .option('--cursor <cursor>', 'the page after this cursor (printed with the previous page)')
    .addOption(json())
    .action((options) => listCommand(context(), options));

  program
    .command('inspect')
    .description('the whole job document')
    .argument('<id>', 'the job id')
    .addOption(json())
    .action((id: string, options) => inspectCommand(context(), id, options));

  program
    .command('retry')
    .description('run a failed or cancelled job again; --failed retries every failed job')
    .argument('[id]', 'the job id')
    .option('--failed', 'retry every failed job')
    .option('--name <name>', 'with --failed: only jobs of this callback name (repeatable)', collectList)
    .addOption(json())
    .action((id: string | undefined, options: { failed?: boolean; name?: string[]; json?: boolean }) => {
      if (options.failed && id !== undefined) throw usageError('retry takes a job id or --failed, not both');
      if (options.failed) return retryFailedCommand(context(), options);
      if (options.name) throw usageError('--name needs --failed: retry --failed --name <name>');
      if (id === undefined) throw usageError('retry needs a job id or --failed');
      return retryOneCommand(context(), id, options);
    });

  program
    .command('cancel')
    .description('cancel a scheduled job, or ask a running one to stop')
    .argument('<id>', 'the job id')
    .addOption(json())
    .action((id: string, options) => cancelCommand(context(), id, options));

  program
    .command('delete')
    .description('delete a job that is not running')
    .argument('<id>', 'the job id')
    .addOption(json())
    .action((id: string, options) => deleteCommand(context(), id, options));

  program
    .command('schedules')
    .description('every schedule with its next run')
    .addOption(json())
    .action((options) => schedulesCommand(context(), options));

  program
    .command('run-schedule')
    .description('fire a schedule once now; prints the job id')
    .argument('<id>', 'the schedule id')
    .addOption(json())
    .action((id: string, options) => runScheduleCommand(context(), id, options));

  program
    .command('migrate')
    .description('apply missing PostgreSQL migrations')
    .addOption(json())
    .action((options) => migrateCommand(context(), options));

  program
    .command('worker')
    .description('run the callbacks of a module until SIGINT/SIGTERM')
    .option('--module <path>', 'the module exporting callback classes (.js, .mjs, .ts)')
    .option('--concurrency <n>', 'jobs at once (default 10)', integerOption(1))
    .option('--grace-ms <n>', 'how long running jobs may finish at stop (default 30000)', integerOption(0))
    .action((options) => workerCommand(context(), options));

  program
    .command('dashboard')
    .description('serve the web dashboard until SIGINT/SIGTERM')
    .option('--port <n>', 'the port (default 8080; 0 picks a free one)', integerOption(0, 65_535))
    .option('--host <host>', 'the address to listen on (default 127.0.0.1)')
    .option('--base-path <path>', 'where the dashboard is mounted (default /)')
    .option('--allow-actions', 'let anyone who reaches the port retry, cancel and delete')
    .action((options) => dashboardCommand(context(), options));

  return program;
}
