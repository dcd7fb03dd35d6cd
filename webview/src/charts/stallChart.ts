/** Chart 1: data-stall % over time, with epoch boundaries, checkpoint spans and the thresholds. */
import type { SessionReport } from '../../../src/shared/model.js';
import type { Thresholds } from '../../../src/shared/protocol.js';
import { formatClock, formatPct } from '../../../src/shared/format.js';
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

export class StallChart {
  private readonly chart: Chart<'line', Point[]>;
  private readonly markers: MarkersControl;
  private points: Point[] = [];
  private palette: Palette;

  constructor(
    canvas: HTMLCanvasElement,
    palette: Palette,
    private readonly thresholds: Thresholds,
  ) {
    this.palette = palette;
    this.markers = createMarkers(markerColours(palette));
    this.chart = new Chart<'line', Point[]>(canvas, {
      type: 'line',
      data: {
        datasets: [
          {
            label: 'data stall',
            data: this.points,
            borderColor: palette.orange,
            backgroundColor: withAlpha(palette.orange, 0.25),
            borderWidth: palette.highContrast ? 2 : 1.5,
            fill: 'origin',
            pointRadius: 0,
            pointHitRadius: 4,
            spanGaps: false,
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
            max: 100,
            grid: { color: palette.grid },
            border: { color: palette.grid },
            ticks: {
              color: palette.muted,
              font: fontOf(palette),
              stepSize: 25,
              callback: (value) => `${value}%`,
            },
            afterFit: valueAxisFit,
          },
        },
        plugins: {
          legend: { display: false },
          decimation: decimation(),
          tooltip: {
            callbacks: {
              title: (items) => formatClock(items[0]?.parsed.x ?? 0),
              label: (item) => `data stall ${formatPct(item.parsed.y)}`,
            },
          },
        },
      },
      plugins: [this.markers.plugin],
    });
    recolour(this.chart.options, palette);
  }

  update(report: SessionReport): void {
    const { t, stallPct } = report.series;
    this.points = fillPoints(this.points, t, (i) => finiteOrNull(stallPct[i]));
    const dataset = this.chart.data.datasets[0];
    if (dataset) dataset.data = this.points;
    setTimeRange(this.chart.options.scales?.x, Math.max(report.durationS, t[t.length - 1] ?? 0, 1));
    this.markers.set({
      epochs: report.epochs,
      checkpoints: report.checkpoints,
      thresholds: [
        { value: this.thresholds.warningPct, colour: withAlpha(this.palette.yellow, 0.9) },
        { value: this.thresholds.errorPct, colour: withAlpha(this.palette.red, 0.9) },
      ],
    });
    fitDecimation(this.chart.options.plugins?.decimation, this.chart.width);
    this.chart.update('none');
  }

  setPalette(palette: Palette, report: SessionReport | undefined): void {
    this.palette = palette;
    const dataset = this.chart.data.datasets[0];
    if (dataset) {
      dataset.borderColor = palette.orange;
      dataset.backgroundColor = withAlpha(palette.orange, 0.25);
      dataset.borderWidth = palette.highContrast ? 2 : 1.5;
    }
    recolour(this.chart.options, palette);
    this.markers.setColours(markerColours(palette));
    if (report) this.update(report);
    else this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
