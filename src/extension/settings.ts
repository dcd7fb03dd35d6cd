/**
 * The one place that reads configuration: `trainio.*` → `Settings` (core never reads it), plus the
 * interpreter used to launch a script.
 */
import * as vscode from 'vscode';
import { DEFAULTS, withDefaults, type Settings } from '../shared/settings';
import type { Thresholds } from '../shared/protocol';

const SECTION = 'trainio';

function pick<K extends keyof Settings>(cfg: vscode.WorkspaceConfiguration, key: K): Settings[K] {
  const value = cfg.get<unknown>(key);
  const fallback = DEFAULTS[key];
  if (Array.isArray(fallback)) {
    return (
      Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fallback
    ) as Settings[K];
  }
  return (typeof value === typeof fallback ? value : fallback) as Settings[K];
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION, scope);
  const keys = Object.keys(DEFAULTS) as (keyof Settings)[];
  const partial: Partial<Settings> = {};
  for (const key of keys) (partial as Record<string, unknown>)[key] = pick(cfg, key);
  return withDefaults(partial);
}

export function readThresholds(): Thresholds {
  const s = readSettings();
  return { warningPct: s.stallWarningPct, errorPct: s.stallErrorPct };
}

/** The Python used to launch a script: the Python extension's setting when set, else `python3`. */
export function readPythonCommand(scope?: vscode.ConfigurationScope): string[] {
  const configured = vscode.workspace.getConfiguration('python', scope).get<string>('defaultInterpreterPath');
  if (configured && configured !== 'python') return [configured];
  return ['/usr/bin/env', 'python3'];
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) listener();
  });
}
