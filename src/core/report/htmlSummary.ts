/**
 * The printable summary of the HTML report, rendered here as plain HTML: readable with scripts off and
 * on paper. Headline numbers, advice with its evidence, the epoch / checkpoint / dataset tables and the
 * environment. Every value goes through the escaping `html` tag.
 */
import { savingsText } from '../../shared/adviceSavings';
import { rereadMethodText } from './rereadMethodText';
import type { CallSite, SessionReport } from '../../shared/model';
import { html, type SafeHtml } from './htmlText';
import { ranksHtml } from './ranksReport';
import { healthHtml } from './healthReport';
import { keyNumbers } from './keyNumbers';
import { histogramText } from './markdownTables';
import {
  commandText,
  displayPath,
  endText,
  environmentRows,
  epochCells,
  epochHeader,
  epochScale,
  LOADERS_UNSEEN,
  modeText,
  passesLabel,
  passesValue,
  stallSplitText,
  stallText,
} from './sessionFacts';
import { byteScale, formatBytesIn } from '../../shared/format';
import { formatBytes, formatCount, formatPct, formatRate, formatSeconds } from './units';

/**
 * What the panel also shows (headline, advice, epochs, checkpoints, datasets): visible when the panel
 * cannot run (scripts off, a viewer without JavaScript), hidden by CSS once the panel has drawn.
 */
export function fallbackSummaryHtml(report: SessionReport): SafeHtml {
  return html`<section class="tio-summary tio-fallback" aria-label="Summary">
    ${headerHtml(report)} ${headlineHtml(report)} ${healthHtml(report)} ${adviceHtml(report)}
    ${ranksHtml(report)} ${epochsHtml(report)} ${checkpointsHtml(report)} ${datasetsHtml(report)}
  </section>`;
}

/** What only the report shows: how the session ran and on what (always visible). */
export function detailsHtml(report: SessionReport): SafeHtml {
  return html`<section class="tio-summary tio-details" aria-label="Session details">
    ${environmentHtml(report)} ${loadersHtml(report)} ${notesHtml(report)}
  </section>`;
}

export function headerHtml(report: SessionReport): SafeHtml {
  return html`<header class="tio-header">
    <h1>trainio session report</h1>
    <p class="tio-command"><code>${commandText(report)}</code></p>
    <p class="tio-meta">
      ${report.startedAt} · ${formatSeconds(report.durationS)} · ${modeText(report)} ·
      <span class="${report.ended ? 'tio-ended' : 'tio-cut'}">${endText(report)}</span>
    </p>
  </header>`;
}

function stallLevel(pct: number | null): string {
  if (pct === null) return 'unknown';
  return pct >= 20 ? 'critical' : pct >= 5 ? 'warning' : 'ok';
}

export function headlineHtml(report: SessionReport): SafeHtml {
  const k = keyNumbers(report);
  const split = stallSplitText(report);
  const card = (label: string, value: string, detail: string, level = ''): SafeHtml =>
    html`<div class="tio-card ${level}">
      <dt>${label}</dt>
      <dd><strong>${value}</strong><span>${detail}</span></dd>
    </div>`;
  return html`<h2>Headline</h2>
    <dl class="tio-cards">
      ${card('Data stall', formatPct(k.stallPct), stallText(report) + (split ? ` — ${split}` : ''), `tio-${stallLevel(k.stallPct)}`)}
      ${card('Epochs', String(k.epochs), k.epochs ? `mean ${formatSeconds(k.meanEpochS)}` + (k.epochs > 1 ? `, first ${formatSeconds(k.firstEpochS)}, later ${formatSeconds(k.laterEpochS)}` : '') : 'none detected')}
      ${card(passesLabel(), passesValue(report), `bytes read ÷ dataset bytes (${formatBytes(k.datasetBytes)}) over the session; ${formatBytes(k.bytesRead)} read, ${rereadMethodText(report.reread.method)}`)}
      ${card('Page cache hit', formatPct(k.pageCacheHitPct), `${formatBytes(k.diskBytesRead)} fetched from disk`)}
      ${card('Checkpoints', String(k.checkpoints), k.checkpoints ? `${formatBytes(k.checkpointBytes)}; ${formatSeconds(k.checkpointLostS)} of training lost (${formatPct(k.checkpointLostPct)})` : 'none seen')}
      ${card('Read throughput', formatRate(k.meanReadBps), `mean; peak ${formatRate(k.peakReadBps)}`)}
    </dl>`;
}

function site(report: SessionReport, s: CallSite | undefined): SafeHtml | string {
  return s ? html`<code>${displayPath(report, s.file)}:${s.line}</code>` : '—';
}

function adviceHtml(report: SessionReport): SafeHtml {
  if (report.advice.length === 0)
    return html`<h2>Advice</h2>
      <p>Nothing to change: no data-loading problem was found.</p>`;
  const items = report.advice.map(
    (a) =>
      html`<li class="tio-advice tio-${a.severity}">
        <span class="tio-severity">${a.severity}</span>
        ${a.message}${a.site ? html` <span class="tio-site">at ${site(report, a.site)}</span>` : ''}
        ${savingsText(a) ? html` <strong class="tio-saves">${savingsText(a)}</strong>` : ''}
        ${
          a.evidence.length
            ? html`<ul class="tio-evidence">
                ${a.evidence.map((e) => html`<li>${e}</li>`)}
              </ul>`
            : ''
        }
      </li>`,
  );
  return html`<h2>Advice</h2>
    <ul class="tio-advice-list">
      ${items}
    </ul>`;
}

function table(
  caption: string,
  header: string[],
  rows: (string | SafeHtml)[][],
  numeric: boolean[],
): SafeHtml {
  if (rows.length === 0)
    return html`<h2>${caption}</h2>
      <p>None.</p>`;
  const cls = (i: number): string => (numeric[i] ? 'num' : '');
  return html`<h2>${caption}</h2>
    <div class="tio-table-wrap">
      <table>
        <thead>
          <tr>
            ${header.map((h, i) => html`<th class="${cls(i)}">${h}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr>
                ${r.map((c, i) => html`<td class="${cls(i)}">${c}</td>`)}
              </tr> `,
          )}
        </tbody>
      </table>
    </div>`;
}

function epochsHtml(report: SessionReport): SafeHtml {
  const scale = epochScale(report);
  const rows = report.epochs.map((e) => epochCells(e, scale));
  const header = epochHeader(report);
  return table('Epochs', header, rows, [true, true, true, true, true, true, true, true, true, false]);
}

function checkpointsHtml(report: SessionReport): SafeHtml {
  const scale = byteScale(report.checkpoints.map((c) => c.bytes));
  const rows = report.checkpoints.map((c) => [
    html`<code>${displayPath(report, c.path)}</code>`,
    formatBytesIn(c.bytes, scale),
    formatSeconds(c.startS),
    formatSeconds(c.durationS),
    formatSeconds(c.lostS),
    c.durationS > 0 ? formatRate(c.bytes / c.durationS) : '—',
    site(report, c.site),
    c.source,
  ]);
  const header = ['Path', 'Size', 'Start', 'Duration', 'Training lost', 'Write speed', 'Saved at', 'Seen by'];
  return table('Checkpoints', header, rows, [false, true, true, true, true, true, false, false]);
}

function datasetsHtml(report: SessionReport): SafeHtml {
  if (report.datasets.length === 0)
    return html`<h2>Datasets</h2>
      <p>None indexed.</p>`;
  const cards = report.datasets.map(
    (d) =>
      html`<div class="tio-dataset">
        <p>
          <code>${displayPath(report, d.path)}</code
          >${d.partial ? html` <span class="tio-warning">partial index</span>` : ''}
        </p>
        <dl class="tio-facts">
          <dt>Files</dt>
          <dd>${formatCount(d.files)}</dd>
          <dt>Size</dt>
          <dd>${formatBytes(d.bytes)}</dd>
          <dt>Mean file</dt>
          <dd>${d.files > 0 ? formatBytes(d.bytes / d.files) : '—'}</dd>
          <dt>Directories</dt>
          <dd>${formatCount(d.dirs)}</dd>
          <dt>Files read</dt>
          <dd>${formatCount(d.filesRead)}</dd>
          <dt>Indexed in</dt>
          <dd>${formatSeconds(d.indexS)}</dd>
          <dt>Files by size</dt>
          <dd>${histogramText(d.histogram)}</dd>
        </dl>
        ${d.largestDirs.length ? html`<p class="tio-muted">Largest directories: ${d.largestDirs.slice(0, 5).map((l, i) => html`${i ? ', ' : ''}<code>${displayPath(report, l.path)}</code> (${formatCount(l.files)})`)}</p>` : ''}
      </div>`,
  );
  return html`<h2>Datasets</h2>
    ${cards}`;
}

function loadersHtml(report: SessionReport): SafeHtml {
  const yesNo = (b: boolean | undefined): string => (b === undefined ? '—' : b ? 'yes' : 'no');
  const rows = report.loaders.map((l) => [
    site(report, l.site),
    String(l.numWorkers),
    l.batchSize === undefined ? '—' : String(l.batchSize),
    yesNo(l.pinMemory),
    yesNo(l.persistentWorkers),
  ]);
  if (rows.length === 0 && report.target.mode === 'attach')
    return html`<h2>DataLoaders</h2>
      <p>${LOADERS_UNSEEN}</p>`;
  const header = ['Created at', 'num_workers', 'batch_size', 'pin_memory', 'persistent_workers'];
  return table('DataLoaders', header, rows, [false, true, true, false, false]);
}

function environmentHtml(report: SessionReport): SafeHtml {
  const rows = environmentRows(report).map(
    (r) =>
      html`<dt>${r.label}</dt>
        <dd>${r.value}</dd>`,
  );
  return html`<h2>Session and environment</h2>
    <dl class="tio-facts">
      <dt>Command</dt>
      <dd><code>${commandText(report)}</code></dd>
      ${
        report.target.cwd
          ? html`<dt>Working directory</dt>
              <dd><code>${report.target.cwd}</code></dd>`
          : ''
      }
      <dt>Started</dt>
      <dd>${report.startedAt}</dd>
      <dt>Duration</dt>
      <dd>${formatSeconds(report.durationS)}</dd>
      <dt>Measured</dt>
      <dd>${modeText(report)}</dd>
      <dt>Ended</dt>
      <dd class="${report.ended ? '' : 'tio-cut'}">${endText(report)}</dd>
      ${rows}
    </dl>`;
}

function notesHtml(report: SessionReport): SafeHtml | string {
  if (report.notes.length === 0) return '';
  return html`<h2>Notes</h2>
    <ul>
      ${report.notes.map((n) => html`<li>${formatSeconds(n.s)} · ${n.level}: ${n.message}</li>`)}
    </ul>`;
}
