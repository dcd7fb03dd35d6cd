/**
 * Attach without prompts where the job's own activity says which folders it uses: a moment of
 * watching the job (core/discovery), then no question when the evidence is clear, and a quick pick
 * with the evidence shown when it is not. Cancelling returns undefined and changes nothing.
 */
import * as vscode from 'vscode';
import type { FoundPath, PathDiscovery } from '../../core/discovery/pathDecision';
import { chosenPaths } from '../../core/discovery/pathDecision';
import { discoverPaths } from '../../core/discovery/pathDiscovery';
import type { TrainingPaths } from './pathsPicker';

export interface FoundChoice {
  paths: TrainingPaths;
  found: PathDiscovery;
}

interface FoundItem extends vscode.QuickPickItem {
  path?: string;
}

/** Watches the job (≈ 1.5 s, with a progress note in the status bar). */
export function lookAtJob(pid: number, minCheckpointBytes: number): Thenable<PathDiscovery> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Training I/O: looking at what PID ${pid} reads…` },
    () => discoverPaths(pid, { minCheckpointBytes }),
  );
}

function itemOf(f: FoundPath): FoundItem {
  return {
    label: f.path,
    description: `${f.confidence} confidence${f.exists ? '' : ' · does not exist yet'}`,
    detail: f.evidence.join(' · '),
    picked: f.chosen,
    path: f.path,
  };
}

/**
 * The folders to record: taken as found when clear, asked (evidence shown) when ambiguous;
 * undefined when nothing was found (ask the usual way) or the user cancelled (`cancelled`).
 */
export async function choosePaths(found: PathDiscovery): Promise<FoundChoice | 'cancelled' | undefined> {
  const chosen = chosenPaths(found);
  if (found.datasets.length === 0) return undefined;
  if (!found.ambiguous.datasets && chosen.datasets.length > 0) return { paths: chosen, found };
  const items = found.datasets.map(itemOf);
  const quickPick = vscode.window.createQuickPick<FoundItem>();
  quickPick.title = 'Datasets the job reads — what it was seen doing';
  quickPick.placeholder = 'Tick the dataset folders (the evidence is under each)';
  quickPick.canSelectMany = true;
  quickPick.ignoreFocusOut = true;
  quickPick.items = items;
  quickPick.selectedItems = items.filter((i) => i.picked);
  const picked = await new Promise<FoundItem[] | undefined>((done) => {
    quickPick.onDidAccept(() => done([...quickPick.selectedItems]));
    quickPick.onDidHide(() => done(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (!picked) return 'cancelled';
  const datasets = picked.filter((i) => i.path).map((i) => i.path!);
  return { paths: { datasets, checkpoints: chosen.checkpoints }, found };
}

/** Without asking (commands run from scripts and tests): what was chosen, when anything was. */
export function clearChoice(found: PathDiscovery): FoundChoice | undefined {
  const paths = chosenPaths(found);
  return paths.datasets.length > 0 ? { paths, found } : undefined;
}
