/** The dataset card's small bar chart: how many files fall in each size bucket. */
import type { SizeBucket } from '../../../src/shared/model.js';
import { formatBytes, formatCount, formatSizeBound } from '../../../src/shared/format.js';
import { withAlpha, type Palette } from '../theme.js';
import { fontOf, recolour } from './chartTheme.js';
import { Chart } from './register.js';

/** "≤ 64 KiB" for a bucket's upper bound; the last bucket (no bound) reads "> 1 MiB" */
export function bucketLabel(bucket: SizeBucket, previous: SizeBucket | undefined): string {
  const open = bucket.le === null || !Number.isFinite(bucket.le);
  if (!open) return `≤ ${formatSizeBound(bucket.le as number)}`;
  return previous && previous.le !== null ? `> ${formatSizeBound(previous.le)}` : 'any size';
}

/** the buckets from the first to the last that holds files (all of them when none does) */
export function occupiedBuckets(histogram: readonly SizeBucket[]): SizeBucket[] {
  const first = histogram.findIndex((b) => b.count > 0);
  if (first < 0) return [...histogram];
  let last = histogram.length - 1;
  while (last > first && (histogram[last] as SizeBucket).count === 0) last--;
  return histogram.slice(first, last + 1);
}

export class HistogramChart {
  private readonly chart: Chart<'bar', number[], string>;
  private buckets: SizeBucket[] = [];

  constructor(canvas: HTMLCanvasElement, palette: Palette) {
    this.chart = new Chart<'bar', number[], string>(canvas, {
      type: 'bar',
      data: {
        labels: [],
        datasets: [
          {
            label: 'files',
            data: [],
            backgroundColor: withAlpha(palette.blue, 0.7),
            borderColor: palette.blue,
            borderWidth: palette.highContrast ? 1 : 0,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {
            grid: { display: false },
            ticks: { color: palette.muted, font: fontOf(palette), maxRotation: 60, autoSkip: true },
          },
          y: {
            beginAtZero: true,
            grid: { color: palette.grid },
            border: { color: palette.grid },
            ticks: { color: palette.muted, font: fontOf(palette), maxTicksLimit: 4, precision: 0 },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const b = this.buckets[item.dataIndex];
                return b ? `${formatCount(b.count)} files, ${formatBytes(b.bytes)}` : '';
              },
            },
          },
        },
      },
    });
    recolour(this.chart.options, palette);
  }

  update(histogram: readonly SizeBucket[]): void {
    const shown = occupiedBuckets(histogram);
    const offset = histogram.indexOf(shown[0] as SizeBucket);
    this.buckets = shown;
    this.chart.data.labels = shown.map((b, i) => bucketLabel(b, histogram[offset + i - 1]));
    const dataset = this.chart.data.datasets[0];
    if (dataset) dataset.data = shown.map((b) => b.count);
    this.chart.update('none');
  }

  setPalette(palette: Palette): void {
    const dataset = this.chart.data.datasets[0];
    if (dataset) {
      dataset.backgroundColor = withAlpha(palette.blue, 0.7);
      dataset.borderColor = palette.blue;
    }
    recolour(this.chart.options, palette);
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
