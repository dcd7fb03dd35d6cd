/**
 * "Launch Active Python File with Profiling" asks what to run with: the workspace's launch.json
 * Python configurations when there are some (their args / cwd / env), then an input box for the
 * arguments, prefilled from the last run of that file (kept per file in the workspace state) or
 * from the picked configuration. Escape anywhere returns undefined and changes nothing.
 */
import { homedir } from 'node:os';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { joinArguments, splitArguments } from './argumentText';
import { pythonConfigurations, type PythonConfiguration } from './launchConfigurations';

export interface LaunchChoice {
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** the script to run when a configuration names another one than the active file */
  program?: string;
  /** `python -m module` (a configuration with `module`) */
  module?: string;
  /** the launch.json configuration it came from */
  configuration?: string;
}

const STATE_KEY = 'trainio.launchArguments';

type Remembered = Record<string, LaunchChoice>;

export function rememberedLaunch(state: vscode.Memento, file: string): LaunchChoice | undefined {
  return state.get<Remembered>(STATE_KEY, {})[file];
}

/** Called once the launch started: a cancelled or failed-to-start launch leaves the last one. */
export async function rememberLaunch(
  state: vscode.Memento,
  file: string,
  choice: LaunchChoice,
): Promise<void> {
  await state.update(STATE_KEY, { ...state.get<Remembered>(STATE_KEY, {}), [file]: choice });
}

interface ConfigItem extends vscode.QuickPickItem {
  configuration?: PythonConfiguration;
}

function configurationsFor(file: string): PythonConfiguration[] {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
  const raw = vscode.workspace.getConfiguration('launch', folder?.uri).get<unknown>('configurations');
  return pythonConfigurations(raw, {
    workspaceFolder: folder?.uri.fsPath,
    file,
    home: homedir(),
    env: process.env,
  });
}

async function pickConfiguration(
  file: string,
  configurations: PythonConfiguration[],
  last: LaunchChoice | undefined,
): Promise<{ configuration?: PythonConfiguration } | undefined> {
  const typed: ConfigItem = {
    label: '$(edit) Type the arguments…',
    description: last && !last.configuration ? `last: ${joinArguments(last.args) || '(none)'}` : undefined,
  };
  const items: ConfigItem[] = [
    typed,
    { label: 'launch.json', kind: vscode.QuickPickItemKind.Separator },
    ...configurations.map((c) => ({
      label: `$(debug-alt) ${c.name}`,
      description: c.problem ? `$(warning) ${c.problem}` : joinArguments(c.args) || '(no arguments)',
      detail: [c.module ? `-m ${c.module}` : c.program, c.cwd && `in ${c.cwd}`].filter(Boolean).join(' · '),
      configuration: c,
    })),
  ];
  const quickPick = vscode.window.createQuickPick<ConfigItem>();
  quickPick.title = `Launch ${basename(file)} with profiling`;
  quickPick.placeholder = 'Run with the arguments of a launch.json configuration, or type them';
  quickPick.items = items;
  const lastItem = items.find((i) => i.configuration && i.configuration.name === last?.configuration);
  quickPick.activeItems = [lastItem ?? typed];
  const picked = await new Promise<ConfigItem | undefined>((done) => {
    quickPick.onDidAccept(() => done(quickPick.selectedItems[0]));
    quickPick.onDidHide(() => done(undefined));
    quickPick.show();
  });
  quickPick.dispose();
  if (!picked) return undefined;
  if (picked.configuration?.problem) {
    void vscode.window.showErrorMessage(
      `Training I/O: the configuration "${picked.configuration.name}" ${picked.configuration.problem}`,
    );
    return undefined;
  }
  return { configuration: picked.configuration };
}

/** Asks what to launch `file` with; undefined when the user cancelled. */
export async function askLaunchArguments(
  state: vscode.Memento,
  file: string,
): Promise<LaunchChoice | undefined> {
  const last = rememberedLaunch(state, file);
  const configurations = configurationsFor(file);
  let configuration: PythonConfiguration | undefined;
  if (configurations.length > 0) {
    const picked = await pickConfiguration(file, configurations, last);
    if (!picked) return undefined;
    configuration = picked.configuration;
  }
  const prefill = configuration ? configuration.args : last && !last.configuration ? last.args : [];
  const shown = configuration?.program ?? file;
  const text = await vscode.window.showInputBox({
    title: `Arguments for ${configuration?.module ?? basename(shown)}`,
    prompt: `What you would type after "python ${configuration?.module ? `-m ${configuration.module}` : basename(shown)}" (quotes and ~ work as in a shell)`,
    value: joinArguments(prefill),
    placeHolder: 'e.g. /data/train --epochs 10',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const split = splitArguments(value, homedir());
      return 'error' in split ? split.error : undefined;
    },
  });
  if (text === undefined) return undefined;
  const split = splitArguments(text, homedir());
  if ('error' in split) return undefined;
  if (!configuration) return { args: split.args };
  return {
    args: split.args,
    cwd: configuration.cwd,
    env: Object.keys(configuration.env).length ? configuration.env : undefined,
    program: configuration.program !== file ? configuration.program : undefined,
    module: configuration.module,
    configuration: configuration.name,
  };
}
