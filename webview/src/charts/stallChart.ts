/**
 * Chart 1: data-stall % over time, with epoch boundaries, checkpoint spans and the thresholds. A
 * long range is drawn as the mean per few-pixel column with its min–max envelope behind it.
 */
import type { SessionReport } from '../../../src/shared/model.js';
import type { Thresholds } from '../../../src/shared/protocol.js';
import { formatClock, formatPct } from '../../../src/shared/format.js';
import { withAlpha, type Palette } from '../theme.js';
import { fontOf, markerColours, recolour, setTimeWindow, timeAxis, valueAxisFit } from './chartTheme.js';
import { aggregate, columnsFor, type TimeWindow } from './envelope.js';
import { createMarkers, type MarkersControl } from './markersPlugin.js';
import { finiteOrNull, type Point } from './points.js';
import { Chart } from './register.js';

export class StallChart {
  private readonly chart: Chart<'line', Point[]>;
  private readonly markers: MarkersControl;
  private palette: Palette;
  /** true when the last update grouped the points into columns */
  grouped = false;

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
            data: [],
            borderColor: palette.orange,
            backgroundColor: withAlpha(palette.orange, 0.25),
            borderWidth: palette.highContrast ? 2 : 1.5,
            fill: 'origin',
            pointRadius: 0,
            pointHitRadius: 4,
            spanGaps: false,
          },
          envelope('data stall, highest in column', '+1', palette),
          envelope('data stall, lowest in column', false, palette),
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
          tooltip: {
            filter: (item) => item.datasetIndex === 0,
            callbacks: {
              title: (items) => formatClock(items[0]?.parsed.x ?? 0),
              label: (item) =>
                `data stall ${formatPct(item.parsed.y)}${this.grouped ? ' (column mean)' : ''}`,
            },
          },
        },
      },
      plugins: [this.markers.plugin],
    });
    recolour(this.chart.options, palette);
  }

  update(report: SessionReport, window: TimeWindow): void {
    const { t, stallPct } = report.series;
    const a = aggregate(t, (i) => finiteOrNull(stallPct[i]), window, columnsFor(this.chart.width));
    this.grouped = a.grouped;
    const [line, high, low] = this.chart.data.datasets;
    if (line) line.data = a.mean;
    if (high) high.data = a.max;
    if (low) low.data = a.min;
    setTimeWindow(this.chart.options.scales?.x, window.from, window.to);
    this.markers.set({
      epochs: report.epochs,
      checkpoints: report.checkpoints,
      thresholds: [
        { value: this.thresholds.warningPct, colour: withAlpha(this.palette.yellow, 0.9) },
        { value: this.thresholds.errorPct, colour: withAlpha(this.palette.red, 0.9) },
      ],
    });
    this.chart.update('none');
  }

  setPalette(palette: Palette, report: SessionReport | undefined, window?: TimeWindow): void {
    this.palette = palette;
    const dataset = this.chart.data.datasets[0];
    if (dataset) {
      dataset.borderColor = palette.orange;
      dataset.backgroundColor = withAlpha(palette.orange, 0.25);
      dataset.borderWidth = palette.highContrast ? 2 : 1.5;
    }
    recolour(this.chart.options, palette);
    this.markers.setColours(markerColours(palette));
    const [, high, low] = this.chart.data.datasets;
    for (const d of [high, low]) if (d) d.backgroundColor = withAlpha(palette.orange, 0.12);
    if (report && window) this.update(report, window);
    else this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** an invisible line of the envelope; the upper one fills down to the lower one */
function envelope(label: string, fill: '+1' | false, palette: Palette) {
  return {
    label,
    data: [] as Point[],
    borderColor: 'transparent',
    backgroundColor: withAlpha(palette.orange, 0.12),
    borderWidth: 0,
    fill,
    pointRadius: 0,
    pointHitRadius: 0,
    spanGaps: false,
  };
}
