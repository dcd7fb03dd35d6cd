/** Who owns a process: its uid (owner of /proc/PID) and that user's name from /etc/passwd. */
import * as fs from 'node:fs';

export function processUid(pid: number): number | null {
  try {
    return fs.statSync(`/proc/${pid}`).uid;
  } catch {
    return null;
  }
}

export function userName(uid: number): string {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid) return f[0];
    }
  } catch {
    // no passwd file: fall back to the number
  }
  return `uid ${uid}`;
}
