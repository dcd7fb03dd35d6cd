/**
 * The dataset card: for each dataset, its size, file-size histogram, the directories with the most
 * files, how much of it sits in the page cache, and small-file / metadata warnings.
 */
import type { DatasetIndex, SessionReport } from '../../../src/shared/model.js';
import { HistogramChart } from '../charts/histogramChart.js';
import { el, setHidden, setText, syncTextRows } from '../dom.js';
import { formatBytes, formatCount, formatDuration, formatPct, NO_VALUE } from '../../../src/shared/format.js';
import { bucketLabel } from '../charts/histogramChart.js';
import type { Palette } from '../theme.js';
import { datasetWarnings } from './datasetWarnings.js';
import { buildTable, type TableParts } from './table.js';

type Dataset = DatasetIndex & { filesRead?: number };

function fact(name: string, key: string): [HTMLElement, HTMLElement] {
  const value = el('dd', { attrs: { 'data-fact': key } });
  return [el('div', { className: 'fact' }, [el('dt', { text: name }), value]), value];
}

class DatasetView {
  readonly element: HTMLElement;
  private readonly heading = el('h3', { className: 'path' });
  private readonly files: HTMLElement;
  private readonly bytes: HTMLElement;
  private readonly dirs: HTMLElement;
  private readonly filesRead: HTMLElement;
  private readonly indexed: HTMLElement;
  private readonly histogram: HistogramChart;
  private readonly canvas = el('canvas', { attrs: { role: 'img' } });
  private readonly largest: TableParts;
  private readonly warnings = el('ul', { className: 'warnings' });
  private histogramKey = '';
  private warningsKey = '';

  constructor(palette: Palette) {
    const facts: [HTMLElement, HTMLElement][] = [
      fact('Files', 'files'),
      fact('Size', 'bytes'),
      fact('Directories', 'dirs'),
      fact('Files read', 'filesRead'),
      fact('Indexed in', 'indexS'),
    ];
    [this.files, this.bytes, this.dirs, this.filesRead, this.indexed] = facts.map(([, value]) => value) as [
      HTMLElement,
      HTMLElement,
      HTMLElement,
      HTMLElement,
      HTMLElement,
    ];
    this.largest = buildTable(
      'Directories with the most files',
      [
        ['Directory', 'text'],
        ['Files', 'num'],
      ],
      'largest-dirs',
    );
    this.histogram = new HistogramChart(this.canvas, palette);
    this.element = el('article', { className: 'dataset' }, [
      this.heading,
      el(
        'dl',
        { className: 'facts' },
        facts.map(([box]) => box),
      ),
      el('div', { className: 'dataset-body' }, [
        el('figure', { className: 'histogram' }, [
          el('div', { className: 'chart-box chart-small' }, [this.canvas]),
          el('figcaption', { text: 'Files by size' }),
        ]),
        this.largest.table,
      ]),
      this.warnings,
    ]);
  }

  update(d: Dataset): void {
    setText(this.heading, d.path);
    this.heading.title = d.path;
    setText(this.files, formatCount(d.files) + (d.partial ? '+' : ''));
    setText(this.bytes, formatBytes(d.bytes));
    setText(this.dirs, formatCount(d.dirs));
    setText(this.filesRead, d.filesRead === undefined ? NO_VALUE : formatCount(d.filesRead));
    setText(this.indexed, formatDuration(d.indexS));
    const histogramKey = JSON.stringify(d.histogram);
    if (histogramKey !== this.histogramKey) {
      this.histogramKey = histogramKey;
      this.histogram.update(d.histogram);
      this.canvas.setAttribute(
        'aria-label',
        `File-size histogram of ${d.path}: ` +
          d.histogram
            .map((b, i) => `${bucketLabel(b, d.histogram[i - 1])}: ${formatCount(b.count)} files`)
            .join(', '),
      );
    }
    syncTextRows(
      this.largest.body,
      d.largestDirs.map((dir) => [dir.path, formatCount(dir.files)]),
    );
    setHidden(this.largest.table, d.largestDirs.length === 0);
    const warnings = datasetWarnings(d);
    const warningsKey = warnings.join('\n');
    if (warningsKey !== this.warningsKey) {
      this.warningsKey = warningsKey;
      this.warnings.replaceChildren(...warnings.map((w) => el('li', { text: w })));
    }
    setHidden(this.warnings, warnings.length === 0);
  }

  setPalette(palette: Palette): void {
    this.histogram.setPalette(palette);
  }

  destroy(): void {
    this.histogram.destroy();
    this.element.remove();
  }
}

export class DatasetCard {
  readonly element: HTMLElement;
  private readonly summary = el('p', { className: 'dataset-summary' });
  private readonly list = el('div', { className: 'dataset-list' });
  private readonly empty = el('p', { className: 'empty', text: 'No dataset indexed.' });
  private readonly views = new Map<string, DatasetView>();

  constructor(private palette: Palette) {
    this.element = el('div', {}, [this.summary, this.list, this.empty]);
  }

  update(report: SessionReport): void {
    const seen = new Set<string>();
    for (const d of report.datasets) {
      seen.add(d.path);
      let view = this.views.get(d.path);
      if (!view) {
        view = new DatasetView(this.palette);
        this.views.set(d.path, view);
        this.list.append(view.element);
      }
      view.update(d);
    }
    for (const [path, view] of this.views) {
      if (seen.has(path)) continue;
      view.destroy();
      this.views.delete(path);
    }
    const r = report.reread;
    setHidden(this.empty, report.datasets.length > 0);
    setHidden(this.summary, report.datasets.length === 0);
    setText(
      this.summary,
      `${formatBytes(r.datasetBytes)} in all · resident in the page cache: ${formatPct(r.residentPct)} · ` +
        `read ${formatBytes(r.bytesRead)} (${formatPct(r.pageCacheHitPct)} from the page cache)`,
    );
  }

  setPalette(palette: Palette): void {
    this.palette = palette;
    for (const view of this.views.values()) view.setPalette(palette);
  }

  destroy(): void {
    for (const view of this.views.values()) view.destroy();
    this.views.clear();
  }
}
