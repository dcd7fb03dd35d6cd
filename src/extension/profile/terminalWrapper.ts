/**
 * The few lines of bash that run a launched job in the editor's terminal: the job runs in the
 * foreground (stdin, Ctrl+C and colours as usual) in a subshell that writes its PID and then becomes
 * the job (`exec`), so the recorder follows the job itself; stderr is copied by `tee` (which
 * ignores Ctrl+C, so a traceback still reaches the file) into a file for the panel; the exit status
 * goes into another file. When the job fails, the terminal stays open until the user presses Enter.
 * Pure: the caller writes the files' paths into the arguments.
 */

export const WRAPPER_SHELL = '/bin/bash';

const SCRIPT = [
  'pidfile=$1; errfile=$2; exitfile=$3; shift 3',
  '( echo "$BASHPID" > "$pidfile"; exec "$@" ) 2> >(trap "" INT; exec tee -a "$errfile" >&2)',
  'code=$?',
  'wait $! 2>/dev/null',
  'echo "$code" > "$exitfile"',
  'if [ "$code" -ne 0 ]; then',
  '  printf "\\n\\033[1;31m[Training I/O] the job exited with code %s.\\033[0m Press Enter to close this terminal." "$code"',
  '  read -r _',
  'fi',
  'exit "$code"',
].join('\n');

export interface WrapperFiles {
  /** the job's PID, written before it starts */
  pidFile: string;
  /** a copy of what the job writes to stderr */
  stderrFile: string;
  /** the exit status (128 + n when killed by signal n), written when it ended */
  exitFile: string;
}

/** shellArgs for WRAPPER_SHELL that run `command` */
export function wrapperArgs(command: readonly string[], files: WrapperFiles): string[] {
  return ['-c', SCRIPT, 'trainio-launch', files.pidFile, files.stderrFile, files.exitFile, ...command];
}

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  15: 'SIGTERM',
};

/** bash's `$?` → exit code or signal (a status above 128 that names a signal is one) */
export function exitOfStatus(status: number): { code: number | null; signal: string | null } {
  const signal = status > 128 ? SIGNALS[status - 128] : undefined;
  return signal ? { code: null, signal } : { code: status, signal: null };
}

const TAIL_LINES = 20;
const TAIL_CHARS = 4000;

/** The last lines of a stderr copy, progress-bar redraws (`\r`) and colour codes removed. */
export function stderrTail(text: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const lines = plain
    .split('\n')
    .map(
      (l) =>
        l
          .split('\r')
          .filter((part) => part.trim().length > 0)
          .at(-1) ?? '',
    )
    .map((l) => l.trimEnd());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-TAIL_LINES).join('\n').slice(-TAIL_CHARS);
}
