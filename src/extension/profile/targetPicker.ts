/**
 * "Which job?" — the running processes that look like training (Python first; those of this
 * workspace or running the active file on top), each with its command line, CPU and age, plus
 * "Launch active Python file…".
 */
import { basename, isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { listTrainingCandidates, type TrainingCandidate } from '../../core/target/processList';

export type PickedTarget = { kind: 'attach'; candidate: TrainingCandidate } | { kind: 'launch' };

interface TargetItem extends vscode.QuickPickItem {
  target?: PickedTarget;
}

export function scriptOf(command: readonly string[], cwd?: string): string | undefined {
  const script = command.find((a, i) => i > 0 && a.endsWith('.py'));
  if (!script) return undefined;
  return isAbsolute(script) ? script : cwd ? resolve(cwd, script) : undefined;
}

function age(startedS: number): string {
  const s = Math.max(0, Date.now() / 1000 - startedS);
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** 2: runs the active file, 1: lives in a workspace folder, 0: elsewhere. */
function closeness(c: TrainingCandidate, folders: string[], activeFile?: string): number {
  const script = scriptOf(c.command, c.cwd);
  if (activeFile && script === activeFile) return 2;
  const inside = (p?: string): boolean =>
    p !== undefined && folders.some((f) => p === f || p.startsWith(`${f}/`));
  return inside(script) || inside(c.cwd) ? 1 : 0;
}

/** A job as the picker shows it: its main process, and how many processes share its command line. */
export interface JobChoice {
  main: TrainingCandidate;
  /** DataLoader workers are forks with the main's command line */
  others: number;
}

/** Groups forks (same command line and folder) under the oldest process, then orders the jobs. */
export function orderCandidates(
  list: TrainingCandidate[],
  folders: string[],
  activeFile?: string,
): JobChoice[] {
  const jobs = new Map<string, JobChoice>();
  for (const c of [...list].sort((a, b) => a.startedS - b.startedS || a.pid - b.pid)) {
    const key = `${c.cwd ?? ''}\0${c.command.join('\0')}`;
    const job = jobs.get(key);
    if (job) job.others++;
    else jobs.set(key, { main: c, others: 0 });
  }
  const cpu = (j: JobChoice): number => j.main.cpuPct ?? 0;
  return [...jobs.values()].sort(
    (a, b) =>
      closeness(b.main, folders, activeFile) - closeness(a.main, folders, activeFile) ||
      Number(b.main.isPython) - Number(a.main.isPython) ||
      cpu(b) - cpu(a) ||
      b.main.startedS - a.main.startedS,
  );
}

function itemFor({ main: c, others }: JobChoice): TargetItem {
  const script = scriptOf(c.command, c.cwd);
  const name = script ? basename(script) : basename(c.command[0] ?? `PID ${c.pid}`);
  const cpu = c.cpuPct === undefined ? '' : ` · ${Math.round(c.cpuPct)}% CPU`;
  const more = others ? ` · +${others} process${others === 1 ? '' : 'es'} (workers)` : '';
  return {
    label: `${c.isPython ? '$(symbol-method)' : '$(terminal)'} ${name}`,
    description: `PID ${c.pid}${cpu} · running ${age(c.startedS)}${more}`,
    detail: c.command.join(' '),
    target: { kind: 'attach', candidate: c },
  };
}

function separator(label: string): TargetItem {
  return { label, kind: vscode.QuickPickItemKind.Separator };
}

/** Python jobs first, then everything else under its own heading, then the launch item. */
function pickItems(jobs: JobChoice[], launch: TargetItem): TargetItem[] {
  const python = jobs.filter((j) => j.main.isPython).map(itemFor);
  const other = jobs.filter((j) => !j.main.isPython).map(itemFor);
  return [
    ...(python.length ? [separator('Python'), ...python] : []),
    separator('launch'),
    launch,
    ...(other.length ? [separator('other processes'), ...other] : []),
  ];
}

export async function pickTarget(activePythonFile?: string): Promise<PickedTarget | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const quickPick = vscode.window.createQuickPick<TargetItem>();
  quickPick.title = 'Profile Training I/O';
  quickPick.placeholder = 'Pick the running training job to profile, or launch a Python file';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.busy = true;
  const launch: TargetItem = {
    label: '$(play) Launch active Python file…',
    description: activePythonFile ? basename(activePythonFile) : 'open a Python file first',
    detail: 'Runs it in a terminal with the trainio hook: the data stall is then exact',
    target: { kind: 'launch' },
    alwaysShow: true,
  };
  quickPick.items = [launch];
  quickPick.show();
  const listed = listTrainingCandidates().then(
    (list) => {
      const jobs = orderCandidates(list, folders, activePythonFile);
      quickPick.items = pickItems(jobs, launch);
      const first = quickPick.items.find((i) => i.kind !== vscode.QuickPickItemKind.Separator);
      quickPick.activeItems = first ? [first] : [];
      quickPick.busy = false;
    },
    (e: unknown) => {
      quickPick.busy = false;
      void vscode.window.showWarningMessage(`Training I/O: cannot list processes: ${(e as Error).message}`);
    },
  );
  const picked = await new Promise<TargetItem | undefined>((done) => {
    quickPick.onDidAccept(() => done(quickPick.selectedItems[0]));
    quickPick.onDidHide(() => done(undefined));
  });
  await listed;
  quickPick.dispose();
  return picked?.target;
}
