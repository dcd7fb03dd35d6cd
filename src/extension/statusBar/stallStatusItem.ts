/**
 * `$(pulse) Stall 23%` in the status bar for the current session: the last window's value while it
 * records, the whole session's value once it ended (until dismissed). Warning / error backgrounds
 * follow the stallWarningPct / stallErrorPct settings; the tooltip says how the number was measured.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { SessionReport } from '../../shared/model';
import type { Thresholds } from '../../shared/protocol';
import { formatBytes, formatRate, formatSeconds } from '../../core/report/units';
import { escapeMarkdown } from '../markdownText';
import type { ProfiledSession } from '../sessions/profiledSession';
import type { SessionList } from '../sessions/sessionList';

export interface StatusSnapshot {
  visible: boolean;
  text: string;
  background?: string;
  tooltip: string;
}

/** The stall % the status bar shows: the live window while recording, the session value after. */
export function shownStallPct(report: SessionReport, live: boolean): number | null {
  const s = report.dataStall;
  return live ? (s.windowPct ?? s.pct) : s.pct;
}

export function backgroundFor(pct: number | null, t: Thresholds): string | undefined {
  if (pct === null) return undefined;
  if (pct >= t.errorPct) return 'statusBarItem.errorBackground';
  if (pct >= t.warningPct) return 'statusBarItem.warningBackground';
  return undefined;
}

function lastReadBps(report: SessionReport): number | undefined {
  const bps = report.series.readBps;
  return bps.length ? bps[bps.length - 1] : undefined;
}

function tooltipFor(session: ProfiledSession, report: SessionReport): string {
  const s = report.dataStall;
  const lines = [
    `**Training I/O — ${escapeMarkdown(session.title)}** ${session.live ? '(recording)' : '(ended)'}`,
    '',
  ];
  if (s.pct === null) lines.push('Data stall: not measured yet');
  else {
    lines.push(`Data stall: **${s.pct.toFixed(1)}%** — ${s.method}, ${s.confidence} confidence`);
    if (session.live && s.windowPct !== null) lines.push(`last window: ${s.windowPct.toFixed(1)}%`);
  }
  lines.push('');
  const epoch = report.epochs.length ? `epoch ${report.epochs.length}` : 'no epoch boundary yet';
  const bps = lastReadBps(report);
  lines.push(`${epoch} · read ${formatRate(bps)}`);
  const ckpt = report.checkpoints.at(-1);
  lines.push(
    ckpt
      ? `last checkpoint: ${escapeMarkdown(basename(ckpt.path))}, ${formatBytes(ckpt.bytes)} in ${formatSeconds(ckpt.durationS)} at ${formatSeconds(ckpt.startS)}`
      : 'no checkpoint yet',
  );
  lines.push('', `[Open panel](command:trainio.showPanel)`);
  if (session.live) lines.push(' · [Stop profiling](command:trainio.stop)');
  else lines.push(' · [Dismiss](command:trainio.dismissResult)');
  return lines.join('  \n');
}

export class StallStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'trainio.stall',
    vscode.StatusBarAlignment.Left,
    50,
  );
  private readonly subscriptions: vscode.Disposable[] = [];
  private dismissed: ProfiledSession | undefined;
  private snapshot: StatusSnapshot = { visible: false, text: '', tooltip: '' };

  constructor(
    private readonly sessions: SessionList,
    private readonly thresholds: () => Thresholds,
  ) {
    this.item.name = 'Training I/O: data stall';
    this.item.command = 'trainio.showPanel';
    this.subscriptions.push(
      sessions.onDidChange(() => this.render()),
      sessions.onDidUpdate(({ session }) => {
        if (session === sessions.current) this.render();
      }),
    );
    this.render();
  }

  /** Hides the final value of an ended session (until another session becomes current). */
  dismiss(): void {
    this.dismissed = this.sessions.current;
    this.render();
  }

  state(): StatusSnapshot {
    return this.snapshot;
  }

  render(): void {
    const session = this.sessions.current;
    const shown = session !== undefined && (session.live || session !== this.dismissed);
    void vscode.commands.executeCommand(
      'setContext',
      'trainio.resultShown',
      shown && session !== undefined && !session.live,
    );
    if (!session || !shown) {
      this.item.hide();
      this.snapshot = { visible: false, text: '', tooltip: '' };
      return;
    }
    const report = session.report();
    const pct = shownStallPct(report, session.live);
    const value = pct === null ? '—' : `${Math.round(pct)}%`;
    const text = session.live ? `$(pulse) Stall ${value}` : `$(check) Stall ${value} · ended`;
    const background = backgroundFor(pct, this.thresholds());
    const tooltip = tooltipFor(session, report);
    this.item.text = text;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    const md = new vscode.MarkdownString(tooltip);
    md.isTrusted = { enabledCommands: ['trainio.showPanel', 'trainio.stop', 'trainio.dismissResult'] };
    this.item.tooltip = md;
    this.item.show();
    this.snapshot = { visible: true, text, background, tooltip };
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.item.dispose();
  }
}
