/**
 * The panel's header: the big data-stall figure (coloured by the thresholds), the current epoch,
 * the read rate now (the session's mean once it ended), the dataset passes, checkpoints, the live/ended badge, and the Stop and Export buttons;
 * while the session file is stopped (disk full), a warning and "Move Session…".
 */
import type { SessionReport } from '../../../src/shared/model.js';
import type { Thresholds } from '../../../src/shared/protocol.js';
import { el, setHidden, setText, toggleClass } from '../dom.js';
import { formatBytes, formatDuration, formatPct, formatRate, NO_VALUE } from '../../../src/shared/format.js';
import {
  datasetPasses,
  epochCounting,
  fileStoppedWarning,
  lastFullWindow,
  passesText,
  peakOfFullWindows,
  showsNow,
} from '../../../src/shared/vocabulary.js';
import type { HostConnection } from '../hostConnection.js';
import { siteLink } from './siteLink.js';

/** live: the host streams updates; ended: the job is over; recorded: a static report */
export type Phase = 'live' | 'ended' | 'recorded';

export type StallLevel = 'ok' | 'warning' | 'error' | 'unknown';

export function stallLevel(pct: number | null, thresholds: Thresholds): StallLevel {
  if (pct === null || !Number.isFinite(pct)) return 'unknown';
  if (pct >= thresholds.errorPct) return 'error';
  if (pct >= thresholds.warningPct) return 'warning';
  return 'ok';
}

interface Figure {
  box: HTMLElement;
  name: HTMLElement;
  value: HTMLElement;
  detail: HTMLElement;
}

function figure(name: string, key: string): Figure {
  const value = el('dd', { className: 'figure-value', attrs: { 'data-figure': key } });
  const detail = el('dd', { className: 'figure-detail' });
  const term = el('dt', { text: name });
  const box = el('div', { className: `figure figure-${key}` }, [term, value, detail]);
  return { box, name: term, value, detail };
}

function methodText(report: SessionReport, live: boolean): string {
  const s = report.dataStall;
  const parts: string[] = [s.method === 'exact' ? 'exact' : `estimated · ${s.confidence} confidence`];
  if (s.method === 'exact' && s.estimatedPct !== undefined && s.estimatedPct !== null) {
    parts.push(`estimate from outside ${formatPct(s.estimatedPct)}`);
  }
  // an ended session has no "now"; a live one headlines only a full window (the aggregator's rule)
  if (showsNow(report, live) && s.windowPct !== null) parts.push(`now ${formatPct(s.windowPct)}`);
  return parts.join(' · ');
}

export class Header {
  readonly element: HTMLElement;
  private readonly title = el('h1', { className: 'title' });
  private readonly badge = el('span', { className: 'badge', attrs: { role: 'status' } });
  private readonly target = el('p', { className: 'target' });
  private readonly loaders = el('p', { className: 'loaders' });
  private readonly stopButton = el('button', {
    text: 'Stop',
    className: 'action stop',
    attrs: { type: 'button' },
  });
  private readonly exportButton = el('button', {
    text: 'Export…',
    className: 'action',
    attrs: { type: 'button' },
  });
  /** the session file stopped (disk full): said, with a way to move it while the job runs */
  private readonly fileStopped = el('p', { className: 'file-stopped', attrs: { role: 'alert' } });
  private readonly fileStoppedText = el('span');
  private readonly moveButton = el('button', {
    text: 'Move Session…',
    className: 'action move',
    attrs: { type: 'button' },
  });
  private readonly stall = figure('Data stall', 'stall');
  private readonly epoch = figure('Epoch', 'epoch');
  private readonly readNow = figure('Read now', 'read');
  private readonly reread = figure('Dataset passes', 'reread');
  private readonly checkpoints = figure('Checkpoints', 'checkpoints');
  private loadersKey = '';

  constructor(private readonly connection: HostConnection) {
    this.stopButton.addEventListener('click', () => connection.post({ type: 'stop' }));
    this.exportButton.addEventListener('click', () => connection.post({ type: 'export' }));
    this.moveButton.addEventListener('click', () => connection.post({ type: 'moveSession' }));
    this.fileStopped.append(this.fileStoppedText, this.moveButton);
    const actions = el('div', { className: 'actions' }, [this.stopButton, this.exportButton]);
    const figures = el('dl', { className: 'figures' }, [
      this.stall.box,
      this.epoch.box,
      this.readNow.box,
      this.reread.box,
      this.checkpoints.box,
    ]);
    this.element = el('header', { className: 'summary' }, [
      el('div', { className: 'title-row' }, [this.title, this.badge, actions]),
      this.fileStopped,
      this.target,
      figures,
      this.loaders,
    ]);
    setHidden(this.exportButton, !connection.interactive);
  }

  setTitle(title: string): void {
    setText(this.title, title);
    document.title = title;
  }

  update(report: SessionReport, thresholds: Thresholds, phase: Phase): void {
    this.updateBadge(report, phase);
    setHidden(this.stopButton, !this.connection.interactive || phase !== 'live');
    const stopped = fileStoppedWarning(report.notes);
    setHidden(this.fileStopped, stopped === undefined);
    setText(this.fileStoppedText, stopped === undefined ? '' : `Warning: ${stopped}`);
    setHidden(this.moveButton, !this.connection.interactive || phase !== 'live');
    const t = report.target;
    setText(
      this.target,
      `${t.mode} · pid ${t.pid} · ${formatDuration(report.durationS)} · ${t.command.join(' ')}`,
    );
    this.target.title = t.cwd ?? '';

    const level = stallLevel(report.dataStall.pct, thresholds);
    for (const l of ['ok', 'warning', 'error', 'unknown'])
      toggleClass(this.stall.box, `level-${l}`, l === level);
    setText(this.stall.value, formatPct(report.dataStall.pct));
    const live = phase === 'live';
    setText(this.stall.detail, methodText(report, live));

    const last = report.epochs[report.epochs.length - 1];
    const sinceAttach = epochCounting(report) === 'attach';
    setText(this.epoch.name, sinceAttach ? 'Epoch since attach' : 'Epoch');
    setText(this.epoch.value, last ? String(last.index) : NO_VALUE);
    setText(
      this.epoch.detail,
      last ? `${report.epochs.length} seen · last ${formatDuration(last.endS - last.startS)}` : 'none yet',
    );
    this.updateRead(report, live);

    setText(this.reread.value, passesText(datasetPasses(report)));
    setText(
      this.reread.detail,
      `bytes read ÷ dataset size · page cache ${formatPct(report.reread.pageCacheHitPct)}`,
    );

    const lost = report.checkpoints.reduce((sum, c) => sum + c.lostS, 0);
    const written = report.checkpoints.reduce((sum, c) => sum + c.bytes, 0);
    setText(this.checkpoints.value, String(report.checkpoints.length));
    setText(
      this.checkpoints.detail,
      report.checkpoints.length ? `${formatBytes(written)} · lost ${formatDuration(lost)}` : 'none yet',
    );
    this.updateLoaders(report);
  }

  /** live: the last full window's rate; ended or recorded: the session's mean and its peak */
  private updateRead(report: SessionReport, live: boolean): void {
    const s = report.series;
    if (showsNow(report, live)) {
      const n = lastFullWindow(s);
      setText(this.readNow.name, 'Read now');
      setText(this.readNow.value, n >= 0 ? formatRate(s.readBps[n]) : NO_VALUE);
      setText(this.readNow.detail, n >= 0 ? `from disk ${formatRate(s.diskReadBps[n])}` : 'no samples yet');
      return;
    }
    const peak = peakOfFullWindows(s.t, s.readBps);
    setText(this.readNow.name, 'Read (mean)');
    setText(
      this.readNow.value,
      report.durationS > 0 ? formatRate(report.totals.rchar / report.durationS) : NO_VALUE,
    );
    setText(this.readNow.detail, peak ? `peak ${formatRate(peak.value)}` : 'no samples');
  }

  private updateBadge(report: SessionReport, phase: Phase): void {
    let text: string = phase;
    const e = report.ended;
    if (e) {
      const how = e.signal
        ? ` (${e.signal})`
        : e.exitCode !== undefined && e.exitCode !== null
          ? ` (exit ${e.exitCode})`
          : '';
      text = `ended: ${e.reason}${how}`;
    }
    setText(this.badge, text);
    for (const p of ['live', 'ended', 'recorded']) toggleClass(this.badge, `badge-${p}`, p === phase);
  }

  private updateLoaders(report: SessionReport): void {
    const key = JSON.stringify(report.loaders);
    if (key === this.loadersKey) return;
    this.loadersKey = key;
    this.loaders.replaceChildren();
    setHidden(this.loaders, report.loaders.length === 0);
    report.loaders.forEach((l, i) => {
      if (i > 0) this.loaders.append('; ');
      const facts = [`${l.numWorkers} workers`];
      if (l.batchSize !== undefined) facts.push(`batch ${l.batchSize}`);
      if (l.pinMemory) facts.push('pin_memory');
      if (l.persistentWorkers) facts.push('persistent workers');
      this.loaders.append('DataLoader ');
      if (l.site) this.loaders.append(siteLink(l.site, this.connection), ' ');
      this.loaders.append(`(${facts.join(', ')})`);
    });
  }
}
