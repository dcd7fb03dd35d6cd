/** Says on stderr which dataset and checkpoint folders were found from what the job does, and doubts about them. */
import type { Recorder } from '../core/session/recorder';

export function sayFoundPaths(recorder: Recorder, out: NodeJS.WriteStream = process.stderr): () => void {
  const say = (level: string, message: string): void => {
    out.write(`${out.isTTY ? '\r\x1b[K' : ''}trainio: ${level === 'warning' ? 'warning: ' : ''}${message}\n`);
  };
  // the notes of the discovery before the start were written before anyone could listen
  for (const n of recorder.report().notes) if (n.about === 'paths') say(n.level, n.message);
  return recorder.onRecord((r) => {
    if (r.type === 'note' && r.about === 'paths') say(r.level, r.message);
  });
}
