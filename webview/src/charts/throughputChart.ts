/**
 * Chart 2: read/write throughput of the process tree. Reads are split into what came from the disk
 * (read_bytes) and what the page cache served (rchar − read_bytes, drawn as the band between the
 * disk area and the total read line); writes and the whole system's disk reads are lines.
 */
import type { SessionReport } from '../../../src/shared/model.js';
import { formatClock, formatRate } from '../../../src/shared/format.js';
import { withAlpha, type Palette } from '../theme.js';
import {
  decimation,
  fitDecimation,
  fontOf,
  markerColours,
  recolour,
  setTimeRange,
  timeAxis,
  valueAxisFit,
} from './chartTheme.js';
import { createMarkers, type MarkersControl } from './markersPlugin.js';
import { fillPoints, finiteOrNull, type Point } from './points.js';
import { Chart } from './register.js';

const MB = 1e6;

/** dataset order in the chart */
const DISK = 0;
const TOTAL_READ = 1;
const WRITE = 2;
const SYSTEM = 3;

function colours(palette: Palette) {
  return [
    { border: palette.red, fill: withAlpha(palette.red, 0.35) },
    { border: palette.blue, fill: withAlpha(palette.blue, 0.22) },
    { border: palette.purple, fill: 'transparent' },
    { border: withAlpha(palette.foreground, 0.6), fill: 'transparent' },
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
  private readonly points: Point[][] = [[], [], [], []];

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
          legend: { position: 'top', align: 'end', labels: { boxWidth: 12, boxHeight: 8 } },
          decimation: decimation(),
          tooltip: {
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

  update(report: SessionReport): void {
    const s = report.series;
    const at = (values: readonly (number | null | undefined)[], i: number): number | null => {
      const v = finiteOrNull(values[i]);
      return v === null ? null : v / MB;
    };
    fillPoints(this.points[DISK] as Point[], s.t, (i) => at(s.diskReadBps, i));
    fillPoints(this.points[TOTAL_READ] as Point[], s.t, (i) => {
      const read = at(s.readBps, i);
      const disk = at(s.diskReadBps, i);
      return read === null ? null : Math.max(read, disk ?? 0);
    });
    fillPoints(this.points[WRITE] as Point[], s.t, (i) => at(s.writeBps, i));
    fillPoints(this.points[SYSTEM] as Point[], s.t, (i) => at(s.systemDiskReadBps, i));
    this.chart.data.datasets.forEach((dataset, i) => (dataset.data = this.points[i] as Point[]));
    setTimeRange(this.chart.options.scales?.x, Math.max(report.durationS, s.t[s.t.length - 1] ?? 0, 1));
    this.markers.set({ epochs: report.epochs, checkpoints: report.checkpoints, thresholds: [] });
    fitDecimation(this.chart.options.plugins?.decimation, this.chart.width);
    this.chart.update('none');
  }

  setPalette(palette: Palette, report: SessionReport | undefined): void {
    const c = colours(palette);
    this.chart.data.datasets.forEach((dataset, i) => {
      dataset.borderColor = c[i]?.border;
      dataset.backgroundColor = c[i]?.fill;
      dataset.borderWidth = palette.highContrast ? 2 : 1.5;
    });
    recolour(this.chart.options, palette);
    this.markers.setColours(markerColours(palette));
    if (report) this.update(report);
    else this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
