/**
 * The panel: builds every section once at `init`, then applies each new report in place (text
 * nodes and chart datasets are updated; no section or canvas is ever re-created).
 */
import type { SessionReport } from '../../src/shared/model.js';
import type { PanelSection, Thresholds } from '../../src/shared/protocol.js';
import { stallSummary, throughputSummary } from './chartSummaries.js';
import { StallChart } from './charts/stallChart.js';
import { ThroughputChart } from './charts/throughputChart.js';
import { el, setText } from './dom.js';
import { formatClock, formatPct } from '../../src/shared/format.js';
import type { HostConnection } from './hostConnection.js';
import { AdviceList } from './sections/adviceList.js';
import { CheckpointList } from './sections/checkpointList.js';
import { DatasetCard } from './sections/datasetCard.js';
import { EpochTable } from './sections/epochTable.js';
import { Header, type Phase } from './sections/header.js';
import { HealthStrip } from './sections/healthStrip.js';
import { RankTable } from './sections/rankTable.js';
import { TimeRangeControl, windowOf } from './sections/timeRange.js';
import { readPalette, watchTheme, type Palette } from './theme.js';

export interface PanelInit {
  title: string;
  live: boolean;
  thresholds: Thresholds;
}

const REVEAL_MS = 1600;

function section(id: PanelSection, heading: string, children: Node[]): HTMLElement {
  const h2 = el('h2', { id: `heading-${id}`, text: heading, attrs: { tabindex: '-1' } });
  return el('section', { id: `section-${id}`, className: 'section', attrs: { 'aria-labelledby': h2.id } }, [
    h2,
    ...children,
  ]);
}

function chartFigure(
  id: string,
  label: string,
): { figure: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement } {
  const caption = el('figcaption', { id: `summary-${id}`, className: 'chart-summary' });
  const canvas = el('canvas', {
    id: `chart-${id}`,
    attrs: { role: 'img', 'aria-label': label, 'aria-describedby': caption.id },
  });
  const figure = el('figure', { className: 'chart' }, [
    el('div', { className: 'chart-box' }, [canvas]),
    caption,
  ]);
  return { figure, canvas, caption };
}

function swatch(kind: string, text: string): HTMLElement {
  return el('span', { className: 'marker-key' }, [
    el('span', { className: `swatch swatch-${kind}` }),
    document.createTextNode(text),
  ]);
}

export class PanelView {
  private readonly header: Header;
  private readonly stallChart: StallChart;
  private readonly stallCaption: HTMLElement;
  private readonly throughputChart: ThroughputChart;
  private readonly throughputCaption: HTMLElement;
  private readonly epochs = new EpochTable();
  private readonly checkpoints: CheckpointList;
  private readonly dataset: DatasetCard;
  private readonly advice: AdviceList;
  private readonly health = new HealthStrip();
  private readonly ranks = new RankTable();
  private readonly ranksSection: HTMLElement;
  private readonly range: TimeRangeControl;
  private report: SessionReport | undefined;
  private phase: Phase;
  private thresholds: Thresholds;
  private revealTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly stopWatchingTheme: () => void;

  constructor(root: HTMLElement, connection: HostConnection, init: PanelInit) {
    const palette = readPalette();
    this.thresholds = init.thresholds;
    this.phase = init.live ? 'live' : 'recorded';
    this.header = new Header(connection);
    this.header.setTitle(init.title);
    this.checkpoints = new CheckpointList(connection);
    this.dataset = new DatasetCard(palette);
    this.advice = new AdviceList(connection);
    this.range = new TimeRangeControl(() => this.redrawCharts());

    const stall = chartFigure(
      'stall',
      'Data stall percentage over time, with epoch starts and checkpoint writes marked',
    );
    const throughput = chartFigure(
      'throughput',
      'Read and write throughput of the training process tree over time',
    );
    this.stallCaption = stall.caption;
    this.throughputCaption = throughput.caption;
    const keys = el('p', { className: 'marker-keys' }, [
      swatch('epoch', 'epoch start'),
      swatch('checkpoint', 'checkpoint write (ticks at the bottom when dense)'),
      swatch('warning', `warning ≥ ${formatPct(init.thresholds.warningPct, 0)}`),
      swatch('error', `error ≥ ${formatPct(init.thresholds.errorPct, 0)}`),
    ]);
    this.ranksSection = section('ranks', 'Ranks', [this.ranks.element]);
    this.ranksSection.hidden = true;
    root.replaceChildren(
      this.header.element,
      this.health.element,
      section('stall', 'Data stall over time', [this.range.element, stall.figure, keys]),
      this.ranksSection,
      section('throughput', 'Throughput: page cache vs disk', [throughput.figure]),
      section('epochs', 'Epochs', [this.epochs.element]),
      section('checkpoints', 'Checkpoints', [this.checkpoints.element]),
      section('dataset', 'Dataset', [this.dataset.element]),
      section('advice', 'Advice', [this.advice.element]),
    );
    this.stallChart = new StallChart(stall.canvas, palette, init.thresholds);
    this.throughputChart = new ThroughputChart(throughput.canvas, palette);
    this.stopWatchingTheme = watchTheme((p) => this.setPalette(p));
  }

  /** releases the charts and listeners (a repeated `init` builds a new panel in the same root) */
  dispose(): void {
    this.stopWatchingTheme();
    clearTimeout(this.revealTimer);
    this.stallChart.destroy();
    this.throughputChart.destroy();
    this.dataset.destroy();
  }

  update(report: SessionReport): void {
    this.report = report;
    if (report.ended && this.phase === 'live') this.phase = 'ended';
    this.header.update(report, this.thresholds, this.phase);
    this.health.update(report, this.phase === 'live');
    this.drawCharts(report);
    setText(this.stallCaption, stallSummary(report));
    setText(this.throughputCaption, throughputSummary(report));
    this.ranksSection.hidden = !this.ranks.update(report);
    this.epochs.update(report);
    this.checkpoints.update(report);
    this.dataset.update(report);
    this.advice.update(report);
  }

  /** the charts over the chosen time range; says what they show next to the range control */
  private drawCharts(report: SessionReport): void {
    const window = windowOf(this.range.range, report);
    this.stallChart.update(report, window);
    this.throughputChart.update(report, window);
    const grouped = this.stallChart.grouped || this.throughputChart.grouped;
    this.range.update(
      report,
      `${formatClock(window.from)} → ${formatClock(window.to)}` +
        (grouped ? ' · lines are means per column, shading their range' : ''),
    );
  }

  private redrawCharts(): void {
    if (this.report) this.drawCharts(this.report);
  }

  end(report: SessionReport): void {
    if (this.phase === 'live') this.phase = 'ended';
    this.update(report);
  }

  reveal(id: PanelSection): void {
    const target = document.getElementById(`section-${id}`);
    if (!target) return;
    target.scrollIntoView({ block: 'start' });
    document.getElementById(`heading-${id}`)?.focus({ preventScroll: true });
    document.querySelectorAll('.section.revealed').forEach((s) => s.classList.remove('revealed'));
    target.classList.add('revealed');
    clearTimeout(this.revealTimer);
    this.revealTimer = setTimeout(() => target.classList.remove('revealed'), REVEAL_MS);
  }

  private setPalette(palette: Palette): void {
    const window = this.report ? windowOf(this.range.range, this.report) : undefined;
    this.stallChart.setPalette(palette, this.report, window);
    this.throughputChart.setPalette(palette, this.report, window);
    this.dataset.setPalette(palette);
  }
}
