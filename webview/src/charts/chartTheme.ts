/** Options every panel chart shares, and re-colouring a live chart when the theme changes. */
import type { ChartOptions, Scale } from 'chart.js';
import { formatClock } from '../../../src/shared/format.js';
import type { Palette } from '../theme.js';
import type { MarkerColours } from './markersPlugin.js';
import { withAlpha } from '../theme.js';

/** fixed y-axis width, so the time axes of the stacked charts line up */
export const Y_AXIS_WIDTH = 64;

export function fontOf(palette: Palette): { family: string; size: number } {
  return { family: palette.fontFamily, size: palette.fontSize };
}

export function markerColours(palette: Palette): MarkerColours {
  return {
    epoch: withAlpha(palette.foreground, palette.highContrast ? 0.8 : 0.45),
    label: palette.muted,
    checkpoint: withAlpha(palette.purple, palette.highContrast ? 0.45 : 0.22),
    tick: withAlpha(palette.purple, palette.highContrast ? 1 : 0.8),
    font: `${palette.fontSize}px ${palette.fontFamily}`,
  };
}

/**
 * chart.js always ends a data-bounded axis with a tick at the last sample; its label is left out
 * when it sits closer to the previous round tick than 60 % of a step (1:30 and 1:36 would collide)
 */
function crowdsPrevious(ticks: readonly { value: number }[], index: number): boolean {
  const [a, b, c] = [ticks[index - 2], ticks[index - 1], ticks[index]];
  return (
    index === ticks.length - 1 &&
    a !== undefined &&
    b !== undefined &&
    c !== undefined &&
    c.value - b.value < 0.6 * (b.value - a.value)
  );
}

export function timeAxis(palette: Palette) {
  return {
    type: 'linear' as const,
    min: 0,
    bounds: 'data' as const,
    grid: { color: palette.grid },
    border: { color: palette.grid },
    ticks: {
      color: palette.muted,
      font: fontOf(palette),
      maxTicksLimit: MAX_TIME_TICKS + 1,
      maxRotation: 0,
      callback: (value: number | string, index: number, ticks: { value: number }[]) =>
        crowdsPrevious(ticks, index) ? '' : formatClock(Number(value)),
    },
    title: { display: false },
  };
}

/** tick steps that read well on a clock: seconds, minutes, hours */
const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
];
const MAX_TIME_TICKS = 8;

/** the smallest clock-friendly step that keeps a time axis of `spanS` seconds to ≤ 8 ticks */
export function timeStep(spanS: number): number {
  return (
    TIME_STEPS.find((step) => spanS / step <= MAX_TIME_TICKS) ??
    Math.ceil(spanS / MAX_TIME_TICKS / 86400) * 86400
  );
}

/** the part of a linear time axis' options that changes with the session's length */
interface TimeAxisRange {
  min?: number | string;
  max?: number | string;
  ticks?: { stepSize?: number };
}

/** shows `from … to` on the time axis (the time-range control's window), clock-friendly ticks */
export function setTimeWindow(options: unknown, from: number, to: number): void {
  const axis = options as TimeAxisRange | undefined;
  if (!axis) return;
  axis.min = from;
  axis.max = to;
  if (axis.ticks) axis.ticks.stepSize = timeStep(Math.max(1, to - from));
}

export function valueAxisFit(scale: Scale): void {
  scale.width = Y_AXIS_WIDTH;
}

/** the axis options this panel sets on its cartesian scales */
interface AxisLook {
  grid?: { color?: unknown };
  border?: { color?: unknown };
  ticks?: { color?: unknown; font?: unknown };
  title?: { color?: unknown; font?: unknown };
}

/** applies a new palette to the scales, legend and tooltip of a chart built with these options */
export function recolour(options: ChartOptions<'line'> | ChartOptions<'bar'>, palette: Palette): void {
  const font = fontOf(palette);
  for (const scale of Object.values(options.scales ?? {}) as (AxisLook | undefined)[]) {
    if (!scale) continue;
    if (scale.grid) scale.grid.color = palette.grid;
    if (scale.border) scale.border.color = palette.grid;
    if (scale.ticks) {
      scale.ticks.color = palette.muted;
      scale.ticks.font = font;
    }
    if (scale.title) {
      scale.title.color = palette.muted;
      scale.title.font = font;
    }
  }
  const plugins = options.plugins;
  if (plugins?.legend?.labels) {
    plugins.legend.labels.color = palette.foreground;
    plugins.legend.labels.font = font;
  }
  if (plugins?.tooltip) {
    plugins.tooltip.backgroundColor = withAlpha(palette.background, 0.95);
    plugins.tooltip.titleColor = palette.foreground;
    plugins.tooltip.bodyColor = palette.foreground;
    plugins.tooltip.borderColor = palette.grid;
    plugins.tooltip.borderWidth = 1;
  }
}
