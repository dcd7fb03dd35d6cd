/**
 * The `trainio` command: argv → command → core. Errors are one line on stderr (`trainio: …`), exit
 * code 2 for usage mistakes and 1 otherwise; never a stack trace unless TRAINIO_DEBUG=1.
 */
import pkg from '../../package.json';
import { isTrainioError } from '../core/errors';
import { demoCommand } from './demoCommand';
import { recordCommand } from './recordCommand';
import { reportCommand } from './reportCommand';
import { absorbed } from './uncaught';
import { MAIN_HELP } from './usage';

export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  record: recordCommand,
  report: reportCommand,
  demo: demoCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(MAIN_HELP + '\n');
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const command = COMMANDS[first];
  if (!command) {
    fail(`unknown command "${first}": use record, report or demo (see trainio --help)`);
    return EXIT_USAGE;
  }
  return command(rest);
}

export function fail(message: string): void {
  process.stderr.write(`trainio: ${message.split('\n')[0]}\n`);
}

/** one line for any error; the stack only with TRAINIO_DEBUG=1 */
export function reportError(e: unknown): number {
  if (isTrainioError(e)) {
    fail(e.message);
    return e.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const message = e instanceof Error ? e.message : String(e);
  if (process.env.TRAINIO_DEBUG === '1') {
    process.stderr.write(`${e instanceof Error && e.stack ? e.stack : message}\n`);
  } else {
    fail(`unexpected error: ${message.split('\n')[0]} (set TRAINIO_DEBUG=1 for details)`);
  }
  return EXIT_FAILURE;
}

function run(): void {
  const fatal = (e: unknown): void => {
    if (!absorbed(e)) process.exit(reportError(e));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // exit explicitly: a launched job that keeps running (recording stopped by Ctrl-C or --duration)
  // must not keep trainio waiting for it
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => process.exit(reportError(e)),
  );
}

if (require.main === module) run();
