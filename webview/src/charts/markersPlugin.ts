/**
 * A small chart.js plugin that marks the training's structure behind the data: a line at each epoch
 * start (labelled E0, E1, …), a shaded span for each checkpoint write — ticks along the bottom
 * when they are too dense for spans — and optional horizontal threshold lines. Each chart gets its own instance (no global registration, no options typing).
 */
import type { Chart, Plugin } from 'chart.js';

export interface Markers {
  epochs: readonly { index: number; startS: number }[];
  checkpoints: readonly { startS: number; durationS: number }[];
  thresholds: readonly { value: number; colour: string }[];
}

export interface MarkerColours {
  epoch: string;
  label: string;
  checkpoint: string;
  /** dense checkpoints' ticks (more opaque than a band: they are small) */
  tick: string;
  font: string;
}

export interface MarkersControl {
  plugin: Plugin<'line'>;
  set(markers: Markers): void;
  setColours(colours: MarkerColours): void;
}

const MIN_SPAN_PX = 2;
const LABEL_GAP_PX = 4;
/** epoch lines closer than this to the previous one drawn are left out (a day of short epochs) */
const MIN_EPOCH_GAP_PX = 8;
/** epochs closer than this on average are drawn as short ticks along the top, not full-height lines */
const EPOCH_LINE_SPACING_PX = 24;

/** checkpoints closer than this on average are drawn as ticks along the bottom, not as bands */
const BAND_SPACING_PX = 12;
/** spans (or ticks) closer than this are drawn as one */
const MERGE_GAP_PX = 3;
const TICK_PX = 6;

/** pixel spans of the visible checkpoints, neighbours closer than MERGE_GAP_PX merged */
export function mergedSpans(
  spans: readonly { left: number; right: number }[],
  gapPx = MERGE_GAP_PX,
): { left: number; right: number }[] {
  const sorted = [...spans].sort((a, b) => a.left - b.left);
  const out: { left: number; right: number }[] = [];
  for (const s of sorted) {
    const prev = out.at(-1);
    if (prev && s.left - prev.right <= gapPx) prev.right = Math.max(prev.right, s.right);
    else out.push({ ...s });
  }
  return out;
}

/** what the last draw put on the chart (epochLines counts full lines and ticks alike) (tests read it from the canvas' data attributes) */
export interface DrawnMarkers {
  checkpointBands: number;
  checkpointTicks: number;
  epochLines: number;
}

function drawCheckpoints(chart: Chart, markers: Markers, colours: MarkerColours, drawn: DrawnMarkers): void {
  const { ctx, chartArea: area, scales } = chart;
  const x = scales.x;
  if (!x) return;
  const visible: { left: number; right: number }[] = [];
  for (const c of markers.checkpoints) {
    const left = x.getPixelForValue(c.startS);
    const right = Math.max(x.getPixelForValue(c.startS + c.durationS), left + MIN_SPAN_PX);
    if (right < area.left || left > area.right) continue;
    visible.push({ left, right });
  }
  const width = area.right - area.left;
  const dense = visible.length > 1 && width / visible.length < BAND_SPACING_PX;
  const spans = mergedSpans(visible);
  if (dense) {
    // a tick per checkpoint (merged when they touch) along the bottom: the data stays readable
    ctx.fillStyle = colours.tick;
    for (const s of spans)
      ctx.fillRect(s.left, area.bottom - TICK_PX, Math.max(1, s.right - s.left), TICK_PX);
    drawn.checkpointTicks = spans.length;
    return;
  }
  ctx.fillStyle = colours.checkpoint;
  for (const s of spans) ctx.fillRect(s.left, area.top, s.right - s.left, area.bottom - area.top);
  drawn.checkpointBands = spans.length;
}

function drawEpochs(chart: Chart, markers: Markers, colours: MarkerColours, drawn: DrawnMarkers): void {
  const { ctx, chartArea: area, scales } = chart;
  const x = scales.x;
  if (!x) return;
  ctx.strokeStyle = colours.epoch;
  ctx.fillStyle = colours.label;
  ctx.font = colours.font;
  ctx.textBaseline = 'top';
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 3]);
  let labelEnd = -Infinity;
  let lastLine = -Infinity;
  const first = x.getValueForPixel(area.left) ?? -Infinity;
  const last = x.getValueForPixel(area.right) ?? Infinity;
  const visible = markers.epochs.filter((e) => e.startS >= first && e.startS <= last).length;
  const dense = visible > 1 && (area.right - area.left) / visible < EPOCH_LINE_SPACING_PX;
  const bottom = dense ? area.top + TICK_PX : area.bottom;
  if (dense) ctx.setLineDash([]);
  for (const e of markers.epochs) {
    const px = Math.round(x.getPixelForValue(e.startS)) + 0.5;
    if (px < area.left - 0.5 || px > area.right || px - lastLine < MIN_EPOCH_GAP_PX) continue;
    lastLine = px;
    drawn.epochLines++;
    ctx.beginPath();
    ctx.moveTo(px, area.top);
    ctx.lineTo(px, bottom);
    ctx.stroke();
    const label = `E${e.index}`;
    const width = ctx.measureText(label).width;
    if (px + 3 > labelEnd && px + 3 + width <= area.right) {
      ctx.fillText(label, px + 3, area.top + (dense ? TICK_PX + 1 : 2));
      labelEnd = px + 3 + width + 4 * LABEL_GAP_PX;
    }
  }
  ctx.setLineDash([]);
}

function drawThresholds(chart: Chart, markers: Markers): void {
  const { ctx, chartArea: area, scales } = chart;
  const y = scales.y;
  if (!y) return;
  ctx.lineWidth = 1;
  ctx.setLineDash([2, 3]);
  for (const t of markers.thresholds) {
    const py = Math.round(y.getPixelForValue(t.value)) + 0.5;
    if (py < area.top || py > area.bottom) continue;
    ctx.strokeStyle = t.colour;
    ctx.beginPath();
    ctx.moveTo(area.left, py);
    ctx.lineTo(area.right, py);
    ctx.stroke();
  }
  ctx.setLineDash([]);
}

export function createMarkers(colours: MarkerColours): MarkersControl {
  let markers: Markers = { epochs: [], checkpoints: [], thresholds: [] };
  let current = colours;
  const plugin: Plugin<'line'> = {
    id: 'trainioMarkers',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      const drawn: DrawnMarkers = { checkpointBands: 0, checkpointTicks: 0, epochLines: 0 };
      drawCheckpoints(chart as unknown as Chart, markers, current, drawn);
      drawThresholds(chart as unknown as Chart, markers);
      drawEpochs(chart as unknown as Chart, markers, current, drawn);
      ctx.restore();
      const d = chart.canvas.dataset;
      d.checkpointBands = String(drawn.checkpointBands);
      d.checkpointTicks = String(drawn.checkpointTicks);
      d.epochLines = String(drawn.epochLines);
    },
  };
  return {
    plugin,
    set: (next) => (markers = next),
    setColours: (next) => (current = next),
  };
}
