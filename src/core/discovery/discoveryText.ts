/** What a discovery found, said in one line per folder: for the CLI's stderr and the session's notes. */
import type { FoundPath, PathDiscovery } from './pathDecision';

export interface PathNote {
  level: 'info' | 'warning';
  message: string;
}

function foundLine(f: FoundPath): string {
  const what = f.role === 'dataset' ? 'dataset' : 'checkpoint folder';
  return `found ${what} ${f.path}: ${f.evidence.join('; ')}`;
}

/** The notes of a discovery made before the recording started (only for the kinds it looked for). */
export function discoveryNotes(
  d: PathDiscovery,
  looked: { datasets: boolean; checkpoints: boolean },
): PathNote[] {
  const notes: PathNote[] = [];
  const seconds = (d.watchedMs / 1000).toFixed(1);
  if (looked.datasets) {
    const chosen = d.datasets.filter((f) => f.chosen);
    const others = d.datasets.filter((f) => !f.chosen);
    for (const f of chosen)
      notes.push({ level: d.ambiguous.datasets ? 'warning' : 'info', message: foundLine(f) });
    if (chosen.length > 0 && d.ambiguous.datasets)
      notes.push({
        level: 'warning',
        message: `the dataset is not certain${others.length ? ` (also possible: ${others.map((o) => o.path).join(', ')})` : ''}: give --dataset DIR to choose`,
      });
    if (chosen.length === 0)
      notes.push({
        level: 'warning',
        message: `no dataset found in what the job did during ${seconds} s${others.length ? ` (possible: ${others.map((o) => o.path).join(', ')})` : ''}: still looking; give --dataset DIR to choose`,
      });
  }
  if (looked.checkpoints)
    for (const f of d.checkpoints.filter((c) => c.chosen))
      notes.push({ level: 'info', message: foundLine(f) });
  return notes;
}

export function foundNote(f: FoundPath): PathNote {
  return { level: 'info', message: foundLine(f) };
}

export function unreadDatasetNote(dataset: string, idleS: number, elsewhere: readonly string[]): PathNote {
  const hint = elsewhere.length > 0 ? ` (the job reads ${elsewhere.map((e) => `${e}/…`).join(', ')})` : '';
  return {
    level: 'warning',
    message: `no file under ${dataset} was read in ${Math.round(idleS)} s: is it the dataset?${hint}`,
  };
}

export function readAfterAllNote(dataset: string, afterS: number): PathNote {
  return {
    level: 'info',
    message: `files under ${dataset} are read after all (first seen at ${afterS.toFixed(1)} s)`,
  };
}
