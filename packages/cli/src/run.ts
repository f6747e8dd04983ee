import { CommanderError } from 'commander';
import { describeFailure, EXIT } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { buildProgram } from './program.js';

/**
 * Runs the `jobservice` command line with `argv` (without `node` and the
 * script) and resolves with its exit code: 0 ok, 1 the operation failed or
 * what it names was not found, 2 bad usage or configuration. Errors are one
 * line on `io.stderr`: `jobservice: <message>`. Never exits the process.
 *
 * @example
 * const code = await run(['list', '--status', 'failed', '--json'], { env: { ...process.env, JOBSERVICE_STORE: 'fs:./data' } });
 */
export async function run(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = { ...processIo(), ...io };
  const program = buildProgram(full);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    const failure = describeFailure(error);
    full.stderr.write(`jobservice: ${failure.message}\n`);
    return failure.exitCode;
  }
}

/** Help and version exit 0; commander's usage errors (already printed) exit 2. */
function commanderExitCode(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
  if (error.exitCode === 0) return EXIT.ok;
  return EXIT.usage;
}
