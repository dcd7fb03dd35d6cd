/** Finds a command on PATH (or checks a path) the way a shell would, without running it. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of `command`, or null when it cannot be run. */
export function findExecutable(command: string, envPath: string = process.env.PATH ?? ''): string | null {
  if (command.includes('/')) return isExecutable(command) ? path.resolve(command) : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}
