import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface InotifyOpenHandlers {
  /** a regular file was opened: its path is `bytes[from, to)` (valid only during the call) */
  open(bytes: Buffer, from: number, to: number): void;
  /** the kernel queue overflowed: opens were lost */
  overflow(): void;
  /** inotifywait is missing, hit a limit or failed */
  problem(kind: 'missing' | 'limit' | 'error', message: string): void;
}

export interface InotifyOpensOptions {
  /** the executable (default `inotifywait`) */
  command?: string;
  /** directories inside the watched trees whose opens are ignored (checkpoints) */
  exclude?: string[];
}

export interface InotifyOpens {
  /** true once every watch is in place; false when watching could not start */
  ready: Promise<boolean>;
  stop(): Promise<void>;
}

const OPEN = Buffer.from('OPEN ');
const OVERFLOW = Buffer.from('Q_OVERFLOW');
const KILL_AFTER_MS = 2000;

/**
 * Runs `inotifywait -m -r -e open` over the dataset trees. Only OPEN events are asked for: ACCESS
 * events cost about a quarter of a core on a training job, OPEN events a few percent. One watch
 * per directory (never per file); records are NUL-terminated so any file name is safe.
 */
export function watchOpens(
  dirs: string[],
  handlers: InotifyOpenHandlers,
  opts: InotifyOpensOptions = {},
): InotifyOpens {
  const args = ['-m', '-r', '-e', 'open', '--format', '%e %w%f%0', '--no-newline'];
  if (opts.exclude && opts.exclude.length > 0) args.push('--exclude', excludePattern(opts.exclude));
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    opts.command ?? 'inotifywait',
    [...args, ...dirs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    },
  );
  let settle: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (settle = resolve));
  let stopping = false;
  let reported = false;
  let lastError = '';
  const problem = (kind: 'missing' | 'limit' | 'error', message: string): void => {
    if (reported) return;
    reported = true;
    handlers.problem(kind, message);
  };

  let rest: Buffer | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let end = buf.indexOf(0, start); end >= 0; end = buf.indexOf(0, start)) {
      if (startsWith(buf, start, OPEN)) handlers.open(buf, start + OPEN.length, end);
      else if (startsWith(buf, start, OVERFLOW)) handlers.overflow();
      start = end + 1;
    }
    rest = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
  });

  let errText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    errText += text;
    const lines = errText.split('\n');
    errText = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('Watches established')) settle(true);
      else if (/upper limit on inotify (watches|instances)/.test(line)) {
        problem(
          'limit',
          `${line.replace(/!$/, '')}: raise it with sysctl -w fs.inotify.max_user_watches=524288`,
        );
      } else if (line !== '' && !line.startsWith('Setting up watches')) lastError = line;
    }
  });

  child.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT')
      problem('missing', 'per-file read coverage needs inotify-tools: apt-get install inotify-tools');
    else problem('error', `inotifywait failed: ${err.message}`);
    settle(false);
  });
  const closed = new Promise<void>((resolve) =>
    child.on('close', (code) => {
      if (!stopping)
        problem('error', `inotifywait exited (${code ?? 'signal'}): ${lastError || 'no message'}`);
      settle(false);
      resolve();
    }),
  );

  return {
    ready,
    async stop(): Promise<void> {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await closed;
      clearTimeout(timer);
    },
  };
}

function startsWith(buf: Buffer, at: number, prefix: Buffer): boolean {
  return (
    buf.length - at >= prefix.length && buf.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0
  );
}

/** POSIX extended regular expression matching the given directories and everything below them */
export function excludePattern(dirs: string[]): string {
  const escaped = dirs.map((d) => d.replace(/\/+$/, '').replace(/[.[\]()*+?{}|^$\\]/g, '\\$&'));
  return `^(${escaped.join('|')})(/|$)`;
}
