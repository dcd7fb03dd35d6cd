/** Says on stderr, at once, when the session file stops being written (disk full, I/O error) or resumes. */
import type { Recorder } from '../core/session/recorder';

export function sayFileWarnings(recorder: Recorder, out: NodeJS.WriteStream = process.stderr): () => void {
  const say = (message: string): void => {
    out.write(`${out.isTTY ? '\r\x1b[K' : ''}trainio: warning: ${message}\n`);
  };
  // the space check ran before anyone could listen
  for (const n of recorder.report().notes) if (n.about === 'session-file') say(n.message);
  return recorder.onRecord((r) => {
    if (r.type === 'note' && r.about === 'session-file') say(r.message);
  });
}
