/**
 * Chart 2: read/write throughput of the process tree. Reads are split into what came from the disk
 * (read_bytes) and what the page cache served (rchar − read_bytes, drawn as the band between the
 * disk area and the total read line); writes and the whole system's disk reads are lines. A long
 * range draws each line as its mean per few-pixel column, and the total read's min–max as a faint
 * envelope: bursts of reads stay visible as a spread instead of a solid block.
 */
import type { SessionReport } from '../../../src/shared/model.js';
import { formatClock, formatRate } from '../../../src/shared/format.js';
import { withAlpha, type Palette } from '../theme.js';
import { fontOf, markerColours, recolour, setTimeWindow, timeAxis, valueAxisFit } from './chartTheme.js';
import { aggregate, columnsFor, type TimeWindow } from './envelope.js';
import { createMarkers, type MarkersControl } from './markersPlugin.js';
import { finiteOrNull, type Point } from './points.js';
import { Chart } from './register.js';

const MB = 1e6;

/** dataset order in the chart: disk, total read, written, system disk read, then the read envelope */
const DISK = 0;
const TOTAL_READ = 1;
const READ_HIGH = 4;

function colours(palette: Palette) {
  return [
    { border: palette.red, fill: withAlpha(palette.red, 0.35) },
    { border: palette.blue, fill: withAlpha(palette.blue, 0.22) },
    { border: palette.purple, fill: 'transparent' },
    { border: withAlpha(palette.foreground, 0.6), fill: 'transparent' },
    { border: 'transparent', fill: withAlpha(palette.blue, 0.12) },
    { border: 'transparent', fill: 'transparent' },
  ];
}

/** y of the point at x (points are sorted by x), 0 where there is none */
function valueAt(points: readonly Point[], x: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const p = points[mid] as Point;
    if (p.x === x) return p.y ?? 0;
    if (p.x < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

export class ThroughputChart {
  private readonly chart: Chart<'line', Point[]>;
  private readonly markers: MarkersControl;
  private points: Point[][] = [[], [], [], [], [], []];
  /** true when the last update grouped the points into columns */
  grouped = false;

  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    this.markers = createMarkers(markerColours(palette));
    const line = { pointRadius: 0, pointHitRadius: 4, borderWidth: palette.highContrast ? 2 : 1.5 };
    const c = colours(palette);
    this.chart = new Chart<'line', Point[]>(canvas, {
      type: 'line',
      data: {
        datasets: [
          {
            ...line,
            label: 'read from disk',
            data: [],
            fill: 'origin',
            borderColor: c[0]?.border,
            backgroundColor: c[0]?.fill,
          },
          {
            ...line,
            label: 'read from page cache',
            data: [],
            fill: '-1',
            borderColor: c[1]?.border,
            backgroundColor: c[1]?.fill,
          },
          {
            ...line,
            label: 'written',
            data: [],
            fill: false,
            borderColor: c[2]?.border,
            backgroundColor: c[2]?.fill,
          },
          {
            ...line,
            label: 'system disk read',
            data: [],
            fill: false,
            borderDash: [5, 3],
            borderColor: c[3]?.border,
            backgroundColor: c[3]?.fill,
          },
          {
            ...line,
            label: 'read, highest in column',
            data: [],
            fill: '+1',
            borderWidth: 0,
            pointHitRadius: 0,
            borderColor: c[4]?.border,
            backgroundColor: c[4]?.fill,
          },
          {
            ...line,
            label: 'read, lowest in column',
            data: [],
            fill: false,
            borderWidth: 0,
            pointHitRadius: 0,
            borderColor: c[5]?.border,
            backgroundColor: c[5]?.fill,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: timeAxis(palette),
          y: {
            min: 0,
            beginAtZero: true,
            grace: '5%',
            grid: { color: palette.grid },
            border: { color: palette.grid },
            ticks: { color: palette.muted, font: fontOf(palette), maxTicksLimit: 6 },
            title: { display: true, text: 'MB/s', color: palette.muted, font: fontOf(palette) },
            afterFit: valueAxisFit,
          },
        },
        plugins: {
          legend: {
            position: 'top',
            align: 'end',
            labels: { boxWidth: 12, boxHeight: 8, filter: (item) => (item.datasetIndex ?? 0) < READ_HIGH },
          },
          tooltip: {
            filter: (item) => item.datasetIndex < READ_HIGH,
            callbacks: {
              title: (items) => formatClock(items[0]?.parsed.x ?? 0),
              label: (item) => {
                const y = item.parsed.y ?? 0;
                if (item.datasetIndex !== TOTAL_READ) return `${item.dataset.label}: ${formatRate(y * MB)}`;
                const disk = valueAt(this.points[DISK] as Point[], item.parsed.x ?? 0);
                return `read from page cache: ${formatRate(Math.max(0, y - disk) * MB)} (total read ${formatRate(y * MB)})`;
              },
            },
          },
        },
      },
      plugins: [this.markers.plugin],
    });
    recolour(this.chart.options, palette);
  }

  update(report: SessionReport, window: TimeWindow): void {
    const s = report.series;
    const at = (values: readonly (number | null | undefined)[], i: number): number | null => {
      const v = finiteOrNull(values[i]);
      return v === null ? null : v / MB;
    };
    const columns = columnsFor(this.chart.width);
    const totalRead = (i: number): number | null => {
      const read = at(s.readBps, i);
      return read === null ? null : Math.max(read, at(s.diskReadBps, i) ?? 0);
    };
    const read = aggregate(s.t, totalRead, window, columns);
    this.grouped = read.grouped;
    this.points = [
      aggregate(s.t, (i) => at(s.diskReadBps, i), window, columns).mean,
      read.mean,
      aggregate(s.t, (i) => at(s.writeBps, i), window, columns).mean,
      aggregate(s.t, (i) => at(s.systemDiskReadBps, i), window, columns).mean,
      read.max,
      read.min,
    ];
    this.chart.data.datasets.forEach((dataset, i) => (dataset.data = this.points[i] as Point[]));
    setTimeWindow(this.chart.options.scales?.x, window.from, window.to);
    this.markers.set({ epochs: report.epochs, checkpoints: report.checkpoints, thresholds: [] });
    this.chart.update('none');
  }

  setPalette(palette: Palette, report: SessionReport | undefined, window?: TimeWindow): void {
    const c = colours(palette);
    this.chart.data.datasets.forEach((dataset, i) => {
      dataset.borderColor = c[i]?.border;
      dataset.backgroundColor = c[i]?.fill;
      if (i < READ_HIGH) dataset.borderWidth = palette.highContrast ? 2 : 1.5;
    });
    recolour(this.chart.options, palette);
    this.markers.setColours(markerColours(palette));
    if (report && window) this.update(report, window);
    else this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
