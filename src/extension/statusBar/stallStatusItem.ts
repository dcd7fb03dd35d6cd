/**
 * `$(pulse) Stall 23%` in the status bar for the current session: the last window's value while it
 * records, the whole session's value once it ended (until dismissed). Warning / error backgrounds
 * follow the stallWarningPct / stallErrorPct settings; the tooltip says how the number was measured.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { alertLevel, healthAlerts, healthShort } from '../../shared/healthText';
import type { HealthItem, SessionReport } from '../../shared/model';
import type { Thresholds } from '../../shared/protocol';
import {
  currentEpochText,
  datasetPasses,
  fileStoppedWarning,
  lastFullWindow,
  passesPhrase,
  showsNow,
} from '../../shared/vocabulary';
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

/** the read rate of the last full window (a final window of a few ms is not a reading) */
function lastReadBps(report: SessionReport): number | undefined {
  const n = lastFullWindow(report.series);
  return n >= 0 ? report.series.readBps[n] : undefined;
}

/** the stall's background, or the health checks' where they are worse */
export function worseBackground(
  stall: string | undefined,
  health: 'warning' | 'critical' | null,
): string | undefined {
  if (health === 'critical' || stall === 'statusBarItem.errorBackground')
    return 'statusBarItem.errorBackground';
  if (health === 'warning') return 'statusBarItem.warningBackground';
  return stall;
}

/** ` · rank 1 slowest` for a multi-rank job (its stall is the slowest rank's), else '' */
export function slowestRankLabel(report: SessionReport): string {
  const slowest = report.dataStall.slowestRank;
  return slowest !== undefined && (report.ranks?.length ?? 0) >= 2 ? ` · rank ${slowest} slowest` : '';
}

function tooltipFor(session: ProfiledSession, report: SessionReport, alerts: HealthItem[] = []): string {
  const s = report.dataStall;
  const lines = [
    `**Training I/O — ${escapeMarkdown(session.title)}** ${session.live ? '(recording)' : '(ended)'}`,
    '',
  ];
  if (s.pct === null) lines.push('Data stall: not measured yet');
  else {
    lines.push(`Data stall: **${s.pct.toFixed(1)}%** — ${s.method}, ${s.confidence} confidence`);
    if (showsNow(report, session.live) && s.windowPct !== null)
      lines.push(`last full window: ${s.windowPct.toFixed(1)}%`);
    const ranks = report.ranks ?? [];
    if (ranks.length >= 2 && s.slowestRank !== undefined) {
      lines.push(
        `the slowest of ${ranks.length} ranks: rank ${s.slowestRank}` +
          (s.spreadPct !== undefined ? ` (${s.spreadPct.toFixed(1)} points above the fastest)` : ''),
      );
    }
  }
  lines.push('');
  // the panel's words: the same epoch number, dataset passes, and nothing "now" once ended
  const epoch = currentEpochText(report) ?? 'no epoch boundary yet';
  const passes = datasetPasses(report);
  const read = showsNow(report, session.live)
    ? `read ${formatRate(lastReadBps(report))} now`
    : `read ${formatRate(report.durationS > 0 ? report.totals.rchar / report.durationS : null)} on average`;
  lines.push([epoch, ...(passes !== null ? [passesPhrase(passes)] : []), read].join(' · '));
  const ckpt = report.checkpoints.at(-1);
  lines.push(
    ckpt
      ? `last checkpoint: ${escapeMarkdown(basename(ckpt.path))}, ${formatBytes(ckpt.bytes)} in ${formatSeconds(ckpt.durationS)} at ${formatSeconds(ckpt.startS)}`
      : 'no checkpoint yet',
  );
  for (const h of alerts)
    lines.push(`${h.severity === 'critical' ? '$(error)' : '$(warning)'} ${escapeMarkdown(h.message)}`);
  if (report.exitCause) lines.push(`Why the job died: ${escapeMarkdown(report.exitCause)}`);
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
    const alerts = healthAlerts(report, session.live);
    const health = alerts
      .map((h) => ` · ${healthShort(h, session.live ? h.currentValue : h.value)}`)
      .join('');
    const straggler = slowestRankLabel(report);
    // the session file stopped (disk full): said here until writing resumes
    const stopped = fileStoppedWarning(report.notes);
    const text =
      (stopped ? '$(warning) ' : '') +
      (session.live
        ? `$(pulse) Stall ${value}${straggler}${health}`
        : `$(check) Stall ${value}${straggler}${health} · ended`);
    const background = worseBackground(
      backgroundFor(pct, this.thresholds()),
      alertLevel(alerts, session.live) ?? (stopped ? 'warning' : null),
    );
    const tooltip =
      (stopped
        ? `**Warning:** ${escapeMarkdown(stopped)}  \n${session.live ? '[Move Session…](command:trainio.moveSession)' : ''}\n\n`
        : '') + tooltipFor(session, report, alerts);
    this.item.text = text;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    const md = new vscode.MarkdownString(tooltip);
    md.isTrusted = {
      enabledCommands: ['trainio.showPanel', 'trainio.stop', 'trainio.dismissResult', 'trainio.moveSession'],
    };
    this.item.tooltip = md;
    this.item.show();
    this.snapshot = { visible: true, text, background, tooltip };
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.item.dispose();
  }
}
