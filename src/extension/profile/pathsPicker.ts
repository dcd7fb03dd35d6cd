/**
 * Asks which folders are the job's datasets and where it writes checkpoints: a multi-select quick
 * pick of the proposed folders (those that exist are ticked), plus "Choose another folder…" and
 * "Type a folder path…" for one the job has not created yet (the recording waits for it to appear).
 * The answer is remembered per script in the workspace state.
 */
import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { directoryState } from '../../core/dataset/directoryAppearance';
import { isTrainioError } from '../../core/errors';
import { gatherCandidates, type JobContext, type PathKind } from './pathCandidates';

export interface TrainingPaths {
  datasets: string[];
  checkpoints: string[];
}

const STATE_KEY = 'trainio.trainingPaths';

type Remembered = Record<string, TrainingPaths>;

function jobKey(job: JobContext): string {
  return job.script ?? job.argv.join(' ');
}

export function rememberedPaths(state: vscode.Memento, job: JobContext): TrainingPaths | undefined {
  return state.get<Remembered>(STATE_KEY, {})[jobKey(job)];
}

export async function rememberPaths(
  state: vscode.Memento,
  job: JobContext,
  paths: TrainingPaths,
): Promise<void> {
  const all = { ...state.get<Remembered>(STATE_KEY, {}), [jobKey(job)]: paths };
  await state.update(STATE_KEY, all);
}

interface PathItem extends vscode.QuickPickItem {
  path?: string;
}

const WORDING: Record<PathKind, { title: string; placeholder: string; dialog: string }> = {
  datasets: {
    title: 'Datasets the job reads',
    placeholder: 'Tick the dataset folders (used for re-read factor, page cache and file counts)',
    dialog: 'Use as dataset',
  },
  checkpoints: {
    title: 'Where the job writes checkpoints',
    placeholder: 'Tick the checkpoint folders (optional: checkpoints are also seen as write bursts)',
    dialog: 'Use for checkpoints',
  },
};

async function pickOne(
  kind: PathKind,
  job: JobContext,
  remembered: string[],
  globs: readonly string[],
  step: number,
): Promise<string[] | undefined> {
  const candidates = await gatherCandidates(kind, job, remembered, globs);
  const chooseItem: PathItem = { label: '$(folder-opened) Choose another folder…', alwaysShow: true };
  const typeItem: PathItem = {
    label: '$(edit) Type a folder path…',
    description: 'it may not exist yet: the recording waits for it to appear',
    alwaysShow: true,
  };
  const items: PathItem[] = candidates.map((c) => ({
    label: c.path,
    description: c.exists ? c.via : `${c.via} · does not exist yet: trainio waits for it`,
    picked: c.exists,
    path: c.path,
  }));
  const quickPick = vscode.window.createQuickPick<PathItem>();
  quickPick.title = `${WORDING[kind].title} (${step}/2)`;
  quickPick.placeholder = WORDING[kind].placeholder;
  quickPick.canSelectMany = true;
  quickPick.ignoreFocusOut = true;
  quickPick.items = [...items, chooseItem, typeItem];
  quickPick.selectedItems = items.filter((i) => i.picked);
  const chosen = await new Promise<PathItem[] | undefined>((done) => {
    quickPick.onDidAccept(() => done([...quickPick.selectedItems]));
    quickPick.onDidHide(() => done(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (!chosen) return undefined;
  const paths = chosen.filter((i) => i.path).map((i) => i.path!);
  if (chosen.includes(chooseItem)) {
    const more = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: true,
      openLabel: WORDING[kind].dialog,
      defaultUri: job.folder ? vscode.Uri.file(job.folder) : undefined,
    });
    // the dialog cancelled: the whole flow is (nothing is recorded, nothing remembered)
    if (!more) return undefined;
    for (const uri of more) if (!paths.includes(uri.fsPath)) paths.push(uri.fsPath);
  }
  if (chosen.includes(typeItem)) {
    const typed = await typeFolder(kind, job);
    if (!typed) return undefined;
    if (!paths.includes(typed)) paths.push(typed);
  }
  return paths;
}

/**
 * A folder typed in: relative to the job's folder; one that does not exist yet is accepted (the
 * recording waits for it), one that can never be a folder is refused with the reason.
 */
async function typeFolder(kind: PathKind, job: JobContext): Promise<string | undefined> {
  const base = job.cwd ?? job.folder ?? process.cwd();
  const absolute = (value: string): string => (isAbsolute(value) ? value : resolve(base, value));
  const typed = await vscode.window.showInputBox({
    title: WORDING[kind].title,
    prompt: `A folder path, absolute or relative to ${base}`,
    ignoreFocusOut: true,
    validateInput: (value) => {
      if (!value.trim()) return undefined;
      try {
        return directoryState(absolute(value.trim())).kind === 'missing'
          ? {
              message: 'Does not exist yet: trainio will wait for it to appear.',
              severity: vscode.InputBoxValidationSeverity.Info,
            }
          : undefined;
      } catch (e) {
        return isTrainioError(e) ? e.message : String(e);
      }
    },
  });
  return typed?.trim() ? absolute(typed.trim()) : undefined;
}

/** Asks for both kinds of folders; undefined when the user cancelled. */
export async function pickTrainingPaths(
  state: vscode.Memento,
  job: JobContext,
  globs: { datasets: readonly string[]; checkpoints: readonly string[] },
): Promise<TrainingPaths | undefined> {
  const last = rememberedPaths(state, job);
  const datasets = await pickOne('datasets', job, last?.datasets ?? [], globs.datasets, 1);
  if (!datasets) return undefined;
  const checkpoints = await pickOne('checkpoints', job, last?.checkpoints ?? [], globs.checkpoints, 2);
  if (!checkpoints) return undefined;
  const paths = { datasets, checkpoints };
  await rememberPaths(state, job, paths);
  return paths;
}

/** Without asking: what was confirmed last time, else the existing proposals. */
export async function inferTrainingPaths(
  state: vscode.Memento,
  job: JobContext,
  globs: { datasets: readonly string[]; checkpoints: readonly string[] },
): Promise<TrainingPaths> {
  const last = rememberedPaths(state, job);
  if (last) return last;
  const existing = async (kind: PathKind): Promise<string[]> =>
    (await gatherCandidates(kind, job, [], globs[kind])).filter((c) => c.exists).map((c) => c.path);
  return { datasets: await existing('datasets'), checkpoints: await existing('checkpoints') };
}
