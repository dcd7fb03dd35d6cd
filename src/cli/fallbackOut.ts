/**
 * `record --fallback-out FILE`: when the session file has stopped (disk full, I/O error) for
 * `--fallback-after` seconds, the session moves to FILE on its own; SIGUSR2 moves it there at once.
 */
import { fileStoppedWarning } from '../shared/vocabulary';
import type { Recorder } from '../core/session/recorder';

export const DEFAULT_FALLBACK_AFTER_S = 10;

export function moveWhenStopped(recorder: Recorder, fallbackOut: string, afterS: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  let moved = false;
  const move = (): void => {
    if (moved) return;
    timer = undefined;
    void recorder.moveSession(fallbackOut).then((r) => (moved = r.moved));
  };
  const stopRecords = recorder.onRecord((r) => {
    if (r.type !== 'note' || r.about !== 'session-file' || moved) return;
    const stopped = fileStoppedWarning([r]) !== undefined;
    if (stopped && !timer) timer = setTimeout(move, afterS * 1000);
    if (!stopped && /^session (file writing resumed|moved)/.test(r.message) && timer) {
      clearTimeout(timer);
      timer = undefined;
    }
  });
  process.on('SIGUSR2', move);
  return () => {
    if (timer) clearTimeout(timer);
    stopRecords();
    process.off('SIGUSR2', move);
  };
}
